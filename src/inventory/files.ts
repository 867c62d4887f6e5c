import {readdir, realpath, stat} from 'node:fs/promises'
import {join, relative} from 'node:path'

import {InventoryError, type Problem} from '../model/errors.js'
import {describeFileType} from '../io/read.js'

/** Folders inside an inventory folder that never hold inventory files (`logs/` holds log mappings and exports). */
const SKIP_DIRS = new Set(['node_modules', 'facts', 'logs', '.git'])
const YAML = /\.ya?ml$/

/**
 * The YAML files of an inventory: the file itself, or every `*.yaml`/`*.yml` below a folder, in a stable order (sorted
 * by relative path) so merged output is deterministic.
 *
 * Symbolic links are followed wherever they point, like the files and folders they stand for: the user chose to
 * put them there, and skipping them would silently drop terminals. A link that points nowhere, a link loop, and a
 * `*.yaml` that is not a regular file (a FIFO, a device) are errors (exit 2) naming the path. A file reached twice
 * (through a link and directly) is read once, under the first path in sorted order.
 */
export async function inventoryFiles(path: string): Promise<string[]> {
  let st
  try {
    st = await stat(path)
  } catch {
    throw new InventoryError([
      {
        code: 'E_NOT_FOUND',
        message: 'inventory not found',
        file: path,
        hint: 'pass --inventory FILE|DIR or set "inventory" in fleet-audit.yaml',
      },
    ])
  }

  if (st.isFile()) return [path]
  if (!st.isDirectory())
    throw new InventoryError([
      {code: 'E_NOT_FILE', message: `not a regular file or folder (${describeFileType(st)})`, file: path},
    ])
  const found: string[] = []
  const problems: Problem[] = []
  await walk(path, found, problems, [await realpath(path)])
  if (problems.length > 0) throw new InventoryError(problems)
  if (found.length === 0) {
    throw new InventoryError([
      {code: 'E_EMPTY', message: 'no *.yaml or *.yml files in the inventory folder', file: path},
    ])
  }

  // Code-unit order, not localeCompare (which follows LANG): the same files load in the same order everywhere.
  const sorted = found
    .map((f) => [relative(path, f), f] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, f]) => f)
  const seen = new Set<string>()
  const files: string[] = []
  for (const file of sorted) {
    const real = await realpath(file)
    if (seen.has(real)) continue
    seen.add(real)
    files.push(file)
  }

  return files
}

/** `ancestors` holds the real paths of the folders being walked, so a link back to one of them is a loop. */
async function walk(dir: string, out: string[], problems: Problem[], ancestors: string[]): Promise<void> {
  let entries
  try {
    entries = await readdir(dir, {withFileTypes: true})
  } catch (error) {
    problems.push({
      code: 'E_READ',
      message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}`,
      file: dir,
    })
    return
  }

  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue
    const full = join(dir, entry.name)
    let kind: {folder: boolean; file: boolean; what: string}
    if (entry.isSymbolicLink()) {
      try {
        const st = await stat(full)
        kind = {folder: st.isDirectory(), file: st.isFile(), what: describeFileType(st)}
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        const message =
          code === 'ELOOP'
            ? 'symbolic link loop'
            : code === 'ENOENT'
              ? 'symbolic link to a missing file or folder'
              : `cannot follow the symbolic link: ${code ?? error}`
        problems.push({code: 'E_SYMLINK', message, file: full})
        continue
      }
    } else {
      kind = {
        folder: entry.isDirectory(),
        file: entry.isFile(),
        what: entry.isFIFO() ? 'a FIFO' : entry.isSocket() ? 'a socket' : 'a device',
      }
    }

    if (kind.folder) {
      if (SKIP_DIRS.has(entry.name)) continue
      const real = await realpath(full)
      if (ancestors.includes(real)) {
        problems.push({code: 'E_SYMLINK', message: `symbolic link loop: leads back to ${real}`, file: full})
        continue
      }

      await walk(full, out, problems, [...ancestors, real])
    } else if (YAML.test(entry.name)) {
      if (kind.file) out.push(full)
      else problems.push({code: 'E_NOT_FILE', message: `not a regular file (${kind.what})`, file: full})
    }
  }
}
