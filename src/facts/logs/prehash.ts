import {isUtf8} from 'node:buffer'
import {createHash} from 'node:crypto'
import {closeSync, constants, existsSync, fstatSync, openSync, readSync, type Stats, statSync} from 'node:fs'
import {type FileHandle, open} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import {BLOCK, CHUNK, MAX_LINE, wholeLines} from './lines.js'

/**
 * The first reads of a large log file, started on a thread of its own as soon as the mappings name the files: while
 * this thread loads the inventory, opens the engine and creates its tables (about a second of one core at 2,000
 * terminals), the other core checks whether the engine can read each uncompressed UTF-8 file as it is (~0.25 s for
 * 1 GB, which the scan used to wait for), then hashes it (~1.2 s for 1 GB, which ran beside the scan on this thread).
 *
 * Only ever a shortcut: a file whose size or stamp (see stampOf) is not the one planned, a thread that fails, or a
 * run from TypeScript sources (no compiled worker) gets nothing here, and the review reads the file itself as before.
 */

/**
 * What says a file is the one planned: its device and inode (a file renamed into its place is another), size, and the
 * times of its last write and last change. The change time (ctime) cannot be set back by a user as the write time
 * can (`touch -d`, `utimes`), and any write or rename bumps it, so a same-size rewrite with its write time restored
 * is still seen.
 */
export function stampOf(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`
}

/**
 * Opens a log file for reading only if it is a regular file: opened without waiting (a FIFO put in its place after
 * the review planned it would otherwise block the open until something writes to it) and checked on the handle.
 */
export async function openRegular(file: string): Promise<FileHandle> {
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    if ((await fh.stat()).isFile()) return fh
  } catch (error) {
    await fh.close()
    throw error
  }

  await fh.close()
  throw new Error('not a regular file')
}

/** A regular file open for reading, with its stamp (see stampOf) when it was opened. */
interface Reader {
  stamp: string
  read(buf: Buffer, offset: number, length: number): number | Promise<number>
  close(): void | Promise<void>
}

/**
 * Opens a regular file (see openRegular) for the reads below. `sync`: read on this thread, for the first reads'
 * worker, which has nothing else to do while it waits: handing each 1 MiB read to the thread pool and waking for it
 * cost a fifth of the hash's CPU of 1 GB (0.9-1.0 s against 0.77-0.84 s), on the core the engine's scan shares.
 */
async function openReader(file: string, sync: boolean): Promise<Reader> {
  if (!sync) {
    const fh = await openRegular(file)
    try {
      const stamp = stampOf(await fh.stat())
      return {stamp, read: async (b, o, n) => (await fh.read(b, o, n)).bytesRead, close: () => fh.close()}
    } catch (error) {
      await fh.close()
      throw error
    }
  }

  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new Error('not a regular file')
    return {stamp: stampOf(st), read: (b, o, n) => readSync(fd, b, o, n, null), close: () => closeSync(fd)}
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

/**
 * Whether the engine can read `file` as UTF-8 as it is: valid UTF-8, no line longer than MAX_LINE (see lines.ts) and,
 * when its first line ends in LF, no CR at all (a CRLF file with a stray CR or LF is found by the engine, see
 * `prepareUtf8` in files.ts); and its size. `sync`: see openReader.
 */
export async function checkUtf8(
  file: string,
  sync = false,
): Promise<{bytes: number; readable: boolean; stamp: string}> {
  const input = Buffer.allocUnsafe(BLOCK)
  const fh = await openReader(file, sync)
  try {
    const {stamp} = fh
    let carry = 0
    let bytes = 0
    let lf: boolean | undefined
    for (;;) {
      const bytesRead = await fh.read(input, carry, Math.min(CHUNK, BLOCK - carry))
      bytes += bytesRead
      const have = carry + bytesRead
      const last = bytesRead === 0
      const upto = last ? have : wholeLines(input, have)
      // A line longer than the engine is given: read through the cleaned copy, which empties it (see lines.ts).
      if (upto === 0 && have === BLOCK) return {bytes: -1, readable: false, stamp}
      const block = input.subarray(0, upto)
      if (!isUtf8(block) || hasLongLine(block)) return {bytes: -1, readable: false, stamp}
      if (lf === undefined && upto > 0) {
        const nl = block.indexOf(0x0a)
        if (nl !== -1) lf = block[nl - 1] !== 0x0d
      }

      if (lf && block.includes(0x0d)) return {bytes: -1, readable: false, stamp}
      if (last) return {bytes, readable: true, stamp}
      carry = have - upto
      input.copyWithin(0, upto, have)
    }
  } finally {
    await fh.close()
  }
}

/**
 * Whether a block of whole lines has a line longer than MAX_LINE. Such a line holds one of the points MAX_LINE / 2
 * apart, so the lines around those points are measured, not every line.
 */
export function hasLongLine(block: Buffer): boolean {
  for (let p = MAX_LINE >> 1; p < block.length; p += MAX_LINE >> 1) {
    const before = block.lastIndexOf(0x0a, p - 1)
    const after = block.indexOf(0x0a, p)
    if ((after === -1 ? block.length : after) - before - 1 > MAX_LINE) return true
  }

  return false
}

/**
 * SHA-256 of a file's bytes, how many there were, and the file's stamp when it was opened. Given `planned`, the file
 * must hold exactly that many bytes (read no further: a file that keeps growing would never end); `onBytes` is told
 * of every read. `sync`: see openReader.
 */
export async function hashBytes(
  file: string,
  options: {planned?: number; onBytes?: (n: number) => void; sync?: boolean} = {},
): Promise<{bytes: number; sha256: string; stamp: string}> {
  const {planned, onBytes} = options
  const hash = createHash('sha256')
  const buf = Buffer.allocUnsafe(CHUNK)
  const fh = await openReader(file, options.sync ?? false)
  try {
    const {stamp} = fh
    let bytes = 0
    for (;;) {
      const n = await fh.read(buf, 0, CHUNK)
      bytes += n
      if (planned !== undefined && (bytes > planned || (n === 0 && bytes < planned)))
        throw new Error(`the file changed while it was read (${planned} bytes when planned)`)
      if (n === 0) return {bytes, sha256: hash.digest('hex'), stamp}
      hash.update(buf.subarray(0, n))
      onBytes?.(n)
    }
  } finally {
    await fh.close()
  }
}

/** The compiled worker (none when running from TypeScript sources: then nothing is read ahead). */
export const firstReadWorker = {path: fileURLToPath(new URL('prehash-worker.js', import.meta.url))}

/** Files smaller than this are read by the review itself: a thread costs more than it saves. */
export const FIRST_READ_MIN_BYTES = 16 * 1024 * 1024

/** What the worker is asked: files to check as UTF-8 (`utf8`), then to hash, in that order. */
export interface FirstReadJob {
  utf8: string[]
  hash: string[]
}

/** What the worker posts, per file and kind of read (no result: the read failed, the review reads it itself). */
export interface FirstReadMessage {
  kind: 'utf8' | 'hash'
  file: string
  bytes?: number
  readable?: boolean
  sha256?: string
  /** The file's stamp (see stampOf) when this read opened it. */
  stamp?: string
}

/** First reads running on one thread: every UTF-8 check first (the scan waits for those), then the hashes. */
export class FirstReads {
  private readonly results = new Map<string, Promise<FirstReadMessage | undefined>>()
  private worker: Worker | undefined

  /** Starts the first reads of the large files (paths as the mappings name them); `utf8`: also checked as UTF-8. */
  start(files: readonly {file: string; utf8: boolean}[]): void {
    if (this.worker || !existsSync(firstReadWorker.path)) return
    const wanted = files.filter(({file}) => {
      try {
        const st = statSync(file)
        return st.isFile() && st.size >= FIRST_READ_MIN_BYTES
      } catch {
        return false
      }
    })
    if (wanted.length === 0) return
    let worker: Worker
    try {
      worker = new Worker(firstReadWorker.path)
    } catch {
      return
    }

    this.worker = worker
    // Never keeps the process alive: a review that stops early (bad input) just exits.
    worker.unref()
    const job: FirstReadJob = {utf8: wanted.filter((f) => f.utf8).map((f) => f.file), hash: wanted.map((f) => f.file)}
    const waiting = new Map<string, (m: FirstReadMessage | undefined) => void>()
    for (const kind of ['utf8', 'hash'] as const)
      for (const file of job[kind]) {
        const key = `${kind}\0${file}`
        if (!this.results.has(key)) this.results.set(key, new Promise((resolve) => waiting.set(key, resolve)))
      }

    const fail = () => {
      for (const resolve of waiting.values()) resolve(undefined)
      waiting.clear()
    }

    worker.on('message', (msg: FirstReadMessage) => {
      const key = `${msg.kind}\0${msg.file}`
      waiting.get(key)?.(msg)
      waiting.delete(key)
    })
    worker.on('error', fail)
    worker.on('exit', fail)
    worker.postMessage(job)
  }

  /**
   * Whether the engine can read `file` as it is, if its check ran and found `bytes` bytes (and, given `stamp`, the
   * file had that stamp when the check opened it); else undefined. The reads start before the review plans the files
   * (stats them): a file rewritten in between with the same size is another file, whose check and hash these are not.
   */
  async readable(file: string, bytes: number, stamp?: string): Promise<boolean | undefined> {
    const m = await this.results.get(`utf8\0${file}`)
    if (m?.readable === false) return false
    return m && m.bytes === bytes && (stamp === undefined || m.stamp === stamp) ? m.readable : undefined
  }

  /** The SHA-256 of `file`, if it was hashed and had `bytes` bytes (and `stamp`, as `readable`); else undefined. */
  async sha256(file: string, bytes: number, stamp?: string): Promise<string | undefined> {
    const m = await this.results.get(`hash\0${file}`)
    return m && m.bytes === bytes && (stamp === undefined || m.stamp === stamp) ? m.sha256 : undefined
  }

  /** Ends the thread (reads not yet done resolve to undefined). */
  async close(): Promise<void> {
    await this.worker?.terminate()
    this.worker = undefined
  }
}
