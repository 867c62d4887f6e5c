import {randomBytes} from 'node:crypto'
import {constants, type Stats} from 'node:fs'
import {link as hardLink, lstat, open, realpath, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {InputError} from '../model/errors.js'
import {describeFileType} from './read.js'

/** Options of an atomic write. */
export interface WriteOptions {
  /** Permission bits of a new file (default: those of the file replaced, else 0o666 less the umask). */
  mode?: number
  /** What is written, for the error message: "cannot write the report: ENOSPC". */
  what?: string
  /** Refuse to replace an existing file (keys, starter files). */
  exclusive?: boolean
}

/**
 * The one way fleet-audit writes a file (reports, facts, keys, starter inventories, hand-off files), so that a reader
 * or an interrupted run never sees half a file and nothing is replaced that should not be:
 *
 * - a regular file (or a new one) is written to a temporary file beside it, then renamed over it; a failed write
 *   removes the temporary file;
 * - a symbolic link is written through: its target is replaced (atomically, the same way), the link stays;
 * - a device, FIFO or other special file (`/dev/null`, `/dev/stdout`, a named pipe) is written through, never
 *   renamed over, like a shell's `>` would (a FIFO waits for its reader);
 * - a folder, a socket or a link to nothing is refused.
 *
 * Every failure is an InputError (exit 2) naming the path, with nothing left behind.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const what = options.what ?? 'the file'
  const failed = (reason: string, code = 'E_OUTPUT') =>
    new InputError([{code, message: `cannot write ${what}: ${reason}`, file: path}])
  const link = await lstatOrUndefined(path)
  let st: Stats | undefined = link
  if (link?.isSymbolicLink()) {
    try {
      st = await stat(path)
    } catch (error) {
      throw failed(`symbolic link to a missing or unreachable file (${errno(error)}); refusing to guess where to write`)
    }
  }

  if (st && options.exclusive)
    throw new InputError([{code: 'E_EXISTS', message: 'already exists; refusing to overwrite it', file: path}])
  if (st?.isDirectory()) throw failed('it is a folder')
  if (st?.isSocket()) throw failed('it is a socket')
  if (st && !st.isFile()) {
    await writeThrough(path, data).catch((error: unknown) => {
      throw failed(`${errno(error)} (writing through ${describeFileType(st!)})`)
    })
    return
  }

  // A link to a regular file: replace the file it points to, beside it, and keep the link.
  const target = link?.isSymbolicLink() ? await realpath(path) : path
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(
      tmp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      options.mode ?? (st ? st.mode & 0o7777 : 0o666),
    )
    try {
      await handle.writeFile(data)
      // The mode given to open() is reduced by the umask; an explicit mode (a private key's 0600) is meant exactly.
      if (options.mode !== undefined || st) await handle.chmod(options.mode ?? st!.mode & 0o7777)
    } finally {
      await handle.close()
    }

    // Exclusive: link(2) fails if the name exists by now, where rename(2) would replace it.
    if (options.exclusive) await hardLink(tmp, target)
    else await rename(tmp, target)
  } catch (error) {
    await rm(tmp, {force: true})
    if (options.exclusive && (error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new InputError([{code: 'E_EXISTS', message: 'already exists; refusing to overwrite it', file: path}])
    }

    throw failed(errno(error))
  }

  if (options.exclusive) await rm(tmp, {force: true})
}

/** Opens without O_CREAT or O_TRUNC, so that nothing but the bytes reaches the special file. */
async function writeThrough(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, constants.O_WRONLY)
  try {
    await handle.writeFile(data)
  } finally {
    await handle.close()
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new InputError([{code: 'E_OUTPUT', message: `cannot write: ${errno(error)}`, file: path}])
  }
}

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String((error as Error).message ?? error)
}
