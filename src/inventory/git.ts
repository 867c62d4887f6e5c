import {execFile} from 'node:child_process'
import {existsSync, realpathSync, statSync} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, dirname, join, relative, resolve, sep} from 'node:path'
import {promisify} from 'node:util'

import {InventoryError} from '../model/errors.js'
import type {Inventory} from '../model/types.js'
import {loadInventory, type LoadInventoryOptions} from './load.js'

const run = promisify(execFile)
const GIT_MAX_BUFFER = 256 * 1024 * 1024

/**
 * Loads the base side of a diff: a folder or file on disk, or the same inventory path as of a git ref in the
 * repository that holds the inventory (not the current folder's: the command may run from anywhere). The ref must
 * be fetched: a shallow CI checkout has only what it was asked for.
 */
export async function loadBaseInventory(
  base: string,
  inventoryPath: string,
  options: LoadInventoryOptions = {},
): Promise<Inventory> {
  if (existsSync(base)) return loadInventory(base, options)
  const repo = await repositoryOf(inventoryPath)
  if (!repo) {
    throw new InventoryError([
      {
        code: 'E_BASE_REF',
        message: `--base: "${base}" is not a file or folder, and the inventory "${inventoryPath}" is not in a git repository`,
      },
    ])
  }

  try {
    await run('git', ['rev-parse', '--verify', '--quiet', `${base}^{commit}`], {cwd: repo.top})
  } catch {
    throw new InventoryError([
      {
        code: 'E_BASE_REF',
        message: `--base: "${base}" is neither a file, a folder nor a git ref in the repository ${repo.top}`,
        hint: `in a shallow CI checkout, fetch it first: git -C ${repo.top} fetch --depth=1 origin ${base.replace(/^origin\//, '')}`,
      },
    ])
  }

  // Paths from here on are relative to the repository's top, whatever the current folder.
  const {stdout} = await run('git', ['ls-tree', '-r', '--name-only', '--full-tree', base, '--', repo.path || '.'], {
    cwd: repo.top,
    maxBuffer: GIT_MAX_BUFFER,
  })
  const files = stdout.split('\n').filter((f) => /\.ya?ml$/.test(f) && !f.split('/').includes('facts'))
  const dir = await mkdtemp(join(tmpdir(), 'fleet-audit-base-'))
  try {
    for (const file of files) {
      const {stdout: text} = await run('git', ['show', `${base}:${file}`], {
        cwd: repo.top,
        maxBuffer: GIT_MAX_BUFFER,
        encoding: 'buffer',
      })
      const target = join(dir, file)
      await mkdir(dirname(target), {recursive: true})
      await writeFile(target, text)
    }

    const root = join(dir, repo.path)
    if (!existsSync(root)) {
      throw new InventoryError([{code: 'E_BASE_REF', message: `--base: "${inventoryPath}" does not exist at ${base}`}])
    }

    const inv = await loadInventory(root, options)
    return {...inv, root: `${base}:${inventoryPath}`}
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

/** The git repository holding a path: its top folder and the path inside it; undefined outside any repository. */
async function repositoryOf(path: string): Promise<{top: string; path: string} | undefined> {
  const absolute = resolve(path)
  const folder = existsSync(absolute) && statSync(absolute).isDirectory() ? absolute : dirname(absolute)
  if (!existsSync(folder)) return undefined
  try {
    const {stdout} = await run('git', ['rev-parse', '--show-toplevel'], {cwd: folder})
    const top = stdout.trim()
    // git prints the real path; compare like with like (a temporary folder may sit behind a symlink).
    return {
      top,
      path: relative(realpathSync(top), realpathSync(folder) + (folder === absolute ? '' : `/${basename(absolute)}`))
        .split(sep)
        .join('/'),
    }
  } catch {
    return undefined
  }
}
