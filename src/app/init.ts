import {existsSync} from 'node:fs'
import {mkdir, readdir, readFile} from 'node:fs/promises'
import {dirname, join, relative} from 'node:path'

import {InputError} from '../model/errors.js'
import {PACKAGE_ROOT} from '../io/paths.js'
import {writeFileAtomic} from '../io/write.js'

const TEMPLATE_DIR = join(PACKAGE_ROOT, 'templates', 'init')

/** Writes a commented starter inventory into `dir`; refuses to overwrite anything unless `force`. */
export async function scaffoldInventory(dir: string, options: {force?: boolean} = {}): Promise<string[]> {
  // The schema goes along so that editors (yaml-language-server) check the files offline.
  const templates = [...(await list(TEMPLATE_DIR)), join(PACKAGE_ROOT, 'schemas', 'inventory.schema.json')]
  const targets = templates.map((t) =>
    join(dir, t.startsWith(TEMPLATE_DIR) ? relative(TEMPLATE_DIR, t) : 'inventory.schema.json'),
  )
  const existing = targets.filter((t) => existsSync(t))
  if (existing.length > 0 && !options.force) {
    throw new InputError(
      existing.map((file) => ({code: 'E_EXISTS', message: 'already exists (use --force to overwrite)', file})),
    )
  }

  for (const [i, template] of templates.entries()) {
    await mkdir(dirname(targets[i]), {recursive: true})
    await writeFileAtomic(targets[i], await readFile(template), {what: 'the starter file'})
  }

  return targets
}

async function list(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, {withFileTypes: true})) {
    const full = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await list(full)))
    else out.push(full)
  }

  return out.sort()
}
