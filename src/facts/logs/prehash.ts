import {isUtf8} from 'node:buffer'
import {createHash} from 'node:crypto'
import {existsSync, statSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

/**
 * The first read of a large log file, started on a thread of its own as soon as the mappings name the files: while
 * this thread loads the inventory, opens the engine and creates its tables (about a second and a half of one core at
 * 2,000 terminals), the other core hashes each uncompressed file and checks whether the engine can read it as it is.
 * Done beside the engine's scan instead, the hash (~1.2 s of CPU for 1 GB) took a core from the engine's two threads;
 * done before it, the check made the scan wait (~0.25 s for 1 GB).
 *
 * Only ever a shortcut: a file whose size is not the one planned, a thread that fails, or a run from TypeScript
 * sources (no compiled worker) gets nothing here, and the review reads the file itself as before.
 */

/** One file's first read: its bytes, their SHA-256, and whether the engine could read them as UTF-8 as they are. */
export interface FirstRead {
  bytes: number
  sha256: string
  /** Valid UTF-8 and, when its first line ends in LF, no CR at all (see `readableUtf8` in files.ts). */
  readable: boolean
}

/** Bytes read at a time, and the most bytes of whole lines checked at once. */
const CHUNK = 1 << 20
const BLOCK = 2 * CHUNK

/** Hashes `file` and checks it as UTF-8 in one pass (see FirstRead). */
export async function firstRead(file: string): Promise<FirstRead> {
  const hash = createHash('sha256')
  const input = Buffer.allocUnsafe(BLOCK)
  const fh = await open(file, 'r')
  try {
    let carry = 0
    let bytes = 0
    let lf: boolean | undefined
    let readable = true
    for (;;) {
      const {bytesRead} = await fh.read(input, carry, Math.min(CHUNK, BLOCK - carry))
      hash.update(input.subarray(carry, carry + bytesRead))
      bytes += bytesRead
      const have = carry + bytesRead
      const last = bytesRead === 0
      if (readable) {
        let upto = last ? have : input.lastIndexOf(0x0a, have - 1) + 1
        // A line longer than the buffer: checked in pieces, a piece may end inside a character (then it is copied).
        if (upto === 0 && have === BLOCK) upto = have
        const block = input.subarray(0, upto)
        if (!isUtf8(block)) readable = false
        if (lf === undefined && upto > 0) {
          const nl = block.indexOf(0x0a)
          if (nl !== -1) lf = block[nl - 1] !== 0x0d
        }

        if (lf && block.includes(0x0d)) readable = false
        carry = have - upto
        input.copyWithin(0, upto, have)
      } else carry = 0
      if (last) return {bytes, sha256: hash.digest('hex'), readable}
    }
  } finally {
    await fh.close()
  }
}

/** The compiled worker (none when running from TypeScript sources: then nothing is read ahead). */
export const firstReadWorker = {path: fileURLToPath(new URL('prehash-worker.js', import.meta.url))}

/** Files smaller than this are read by the review itself: a thread costs more than it saves. */
export const FIRST_READ_MIN_BYTES = 16 * 1024 * 1024

/** First reads running on one thread, in the order asked. */
export class FirstReads {
  private readonly results = new Map<string, Promise<FirstRead | undefined>>()
  private worker: Worker | undefined

  /** Starts the first read of each large file (by path as the mapping names it), one after another on one thread. */
  start(files: readonly string[]): void {
    if (this.worker || !existsSync(firstReadWorker.path)) return
    const wanted = files.filter((file) => {
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
    const waiting = new Map<string, (r: FirstRead | undefined) => void>()
    for (const file of wanted) this.results.set(file, new Promise((resolve) => waiting.set(file, resolve)))
    const fail = () => {
      for (const resolve of waiting.values()) resolve(undefined)
      waiting.clear()
    }

    worker.on('message', (msg: {file: string; result?: FirstRead}) => {
      waiting.get(msg.file)?.(msg.result)
      waiting.delete(msg.file)
    })
    worker.on('error', fail)
    worker.on('exit', fail)
    worker.postMessage(wanted)
  }

  /** The first read of `file` if it was started and read exactly `bytes` bytes; else undefined. */
  async get(file: string, bytes: number): Promise<FirstRead | undefined> {
    const read = await this.results.get(file)
    return read && read.bytes === bytes ? read : undefined
  }

  /** Ends the thread (reads not yet done resolve to undefined). */
  async close(): Promise<void> {
    await this.worker?.terminate()
    this.worker = undefined
  }
}
