import {readdir, stat} from 'node:fs/promises'
import {join, relative} from 'node:path'

import {InventoryError} from '../errors.js'

/** Folders inside an inventory folder that never hold inventory files (`logs/` holds log mappings and exports). */
const SKIP_DIRS = new Set(['node_modules', 'facts', 'logs', '.git'])

/**
 * The YAML files of an inventory: the file itself, or every `*.yaml`/`*.yml` below a folder,
 * in a stable order (sorted by relative path) so merged output is deterministic.
 */
export async function inventoryFiles(path: string): Promise<string[]> {
  let st
  try {
    st = await stat(path)
  } catch {
    throw new InventoryError([
      {code: 'E_NOT_FOUND', message: 'inventory not found', file: path, hint: 'pass --inventory FILE|DIR or set "inventory" in fleet-audit.yaml'},
    ])
  }

  if (st.isFile()) return [path]
  if (!st.isDirectory()) throw new InventoryError([{code: 'E_NOT_FILE', message: 'not a regular file or folder', file: path}])
  const files: string[] = []
  await walk(path, files)
  if (files.length === 0) {
    throw new InventoryError([{code: 'E_EMPTY', message: 'no *.yaml or *.yml files in the inventory folder', file: path}])
  }

  return files.sort((a, b) => relative(path, a).localeCompare(relative(path, b)))
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries
  try {
    entries = await readdir(dir, {withFileTypes: true})
  } catch (error) {
    throw new InventoryError([{code: 'E_READ', message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}`, file: dir}])
  }

  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) await walk(full, out)
    } else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
      out.push(full)
    }
  }
}
