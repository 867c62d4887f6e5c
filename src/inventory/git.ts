import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {promisify} from 'node:util'

import {InventoryError} from '../errors.js'
import type {Inventory} from '../model.js'
import {loadInventory, type LoadInventoryOptions} from './load.js'

const run = promisify(execFile)
const GIT_MAX_BUFFER = 256 * 1024 * 1024

/**
 * Loads the base side of a diff: a folder or file on disk, or the same inventory path as of a git ref
 * (which must be fetched: a shallow CI checkout has only what it was asked for).
 */
export async function loadBaseInventory(base: string, inventoryPath: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  if (existsSync(base)) return loadInventory(base, options)
  try {
    await run('git', ['rev-parse', '--verify', '--quiet', `${base}^{commit}`])
  } catch {
    throw new InventoryError([
      {
        code: 'E_BASE_REF',
        message: `--base: "${base}" is neither a file, a folder nor a git ref in this repository`,
        hint: `in a shallow CI checkout, fetch it first: git fetch --depth=1 origin ${base.replace(/^origin\//, '')}`,
      },
    ])
  }

  const {stdout} = await run('git', ['ls-tree', '-r', '--name-only', base, '--', inventoryPath], {maxBuffer: GIT_MAX_BUFFER})
  const files = stdout.split('\n').filter((f) => /\.ya?ml$/.test(f) && !f.split('/').includes('facts'))
  const dir = await mkdtemp(join(tmpdir(), 'fleet-audit-base-'))
  try {
    for (const file of files) {
      const {stdout: text} = await run('git', ['show', `${base}:./${file}`], {maxBuffer: GIT_MAX_BUFFER, encoding: 'buffer'})
      const target = join(dir, file)
      await mkdir(dirname(target), {recursive: true})
      await writeFile(target, text)
    }

    const root = join(dir, relative('.', inventoryPath))
    if (!existsSync(root)) {
      throw new InventoryError([{code: 'E_BASE_REF', message: `--base: "${inventoryPath}" does not exist at ${base}`}])
    }

    const inv = await loadInventory(root, options)
    return {...inv, root: `${base}:${inventoryPath}`}
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
