import {existsSync} from 'node:fs'
import {type FileHandle, open, rm} from 'node:fs/promises'
import {availableParallelism} from 'node:os'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import {BLOCK, CHUNK, type LineCleaner, wholeLines} from './lines.js'
import {hashBytes, openRegular} from './prehash.js'
import {Cp932ToUtf8} from './sjis.js'
import {Utf8Clean} from './utf8.js'
import type {LogMapping} from '../../model/logs.js'

/**
 * A large uncompressed file's UTF-8 copy written by several threads: the CP932 decoder runs at ~400 MB/s of one core,
 * which made a 1 GB Shift_JIS month wait ~3 s on one thread before the engine (which uses every core) started.
 *
 * The file is cut after a LF near each 1/n of it (0x0A is never a CP932 trail byte, nor inside a UTF-8 sequence), and
 * each part is decoded by its own worker into its own part file, which the engine reads together (a copy of a part
 * into one file cost a second write of the whole copy). Every part after the first starts with the file's header
 * line, so that each is a CSV of its own; a part's line `L` is the original file's line `L + shift`. The original
 * bytes are hashed in order by this thread meanwhile (unless the file's first read, prehash.ts, took the hash). A
 * copy with a double quote in it is joined back into one file (see `splitCopy`), so a record with a line break in
 * quotes is read as it is from one file.
 */
export const splitting = {
  /** Files smaller than this are copied on one thread: starting the workers (~40 ms each) costs more than it saves. */
  minBytes: 16 * 1024 * 1024,
  /** Parts per file: 0 for one per core (at most 8). */
  parts: 0,
  /**
   * The compiled worker (parts are decoded in this thread when it does not exist: from TypeScript sources), and the
   * worker threads started so far.
   */
  worker: fileURLToPath(new URL('part-worker.js', import.meta.url)),
  started: 0,
}

/** What a copy is decoded with: CP932, or UTF-8 (cleaned), both writing cleaned lines (see lines.ts). */
export type Cleaner = LineCleaner & {invalid: number; decodeInto(input: Buffer, out: Buffer, end: boolean): number}

export function cleaner(encoding: LogMapping['encoding']): Cleaner {
  return encoding === 'shift_jis' ? new Cp932ToUtf8(5, {clean: true}) : new Utf8Clean()
}

/** One part to decode: bytes [start, end) of `file` into `out`, after `header` (the copy's first line, or nothing). */
export interface PartJob {
  file: string
  start: number
  end: number
  out: string
  header: Uint8Array
  encoding: LogMapping['encoding']
  /** The file's line ending (1 LF, 2 CRLF), or 0 for the first part, whose first line tells it. */
  style: 0 | 1 | 2
  /** Count double quotes (csv, tsv: a line break can be inside quotes). */
  quoted: boolean
}

/** What decoding a part found; line numbers are the part's own (1-based, without the header added). */
export interface PartResult {
  invalid: number
  invalidLines: number[]
  blanked: number
  /** Newlines in the part. */
  lines: number
  /** The part (the file's last) ends with a line without a newline. */
  tail: boolean
  /** Double quotes written (the header's not counted): a copy with any is joined back into one file (splitCopy). */
  quotes: number
}

/** One part of a copy, as the engine reads it: the copy's line `L` is the original's line `L + shift`. */
export interface CopyPart {
  path: string
  shift: number
}

/** Decodes one part (in a worker, or in this thread), see `PartJob`. */
export async function decodePart(job: PartJob): Promise<PartResult> {
  const decoder = cleaner(job.encoding)
  if (job.style !== 0) decoder.resumeLines(job.style)
  const input = Buffer.allocUnsafe(BLOCK)
  const output = Buffer.allocUnsafe(BLOCK * 3 + 4)
  let source: FileHandle | undefined
  let sink: FileHandle | undefined
  let quotes = 0
  try {
    source = await openRegular(job.file)
    sink = await open(job.out, 'w')
    if (job.header.length > 0) await sink.write(job.header)
    let pos = job.start
    let carry = 0
    for (;;) {
      const want = Math.min(CHUNK, BLOCK - carry, job.end - pos)
      const {bytesRead} = want > 0 ? await source.read(input, carry, want, pos) : {bytesRead: 0}
      if (want > 0 && bytesRead === 0) throw new Error(`the file changed while it was read (shorter than planned)`)
      pos += bytesRead
      const have = carry + bytesRead
      const last = pos === job.end
      let upto = last ? have : wholeLines(input, have)
      if (upto === 0 && have === BLOCK) upto = have
      const n = decoder.decodeInto(input.subarray(0, upto), output, last)
      if (job.quoted) {
        const written = output.subarray(0, n)
        for (let at = written.indexOf(0x22); at !== -1; at = written.indexOf(0x22, at + 1)) quotes++
      }

      for (let at = 0; at < n;) at += (await sink.write(output, at, n - at)).bytesWritten
      if (last) break
      carry = have - upto
      input.copyWithin(0, upto, have)
    }
  } finally {
    await source?.close()
    await sink?.close()
  }

  return {
    invalid: decoder.invalid,
    invalidLines: decoder.invalidLines,
    blanked: decoder.blanked,
    lines: decoder.line - 1,
    tail: decoder.tail,
    quotes,
  }
}

/** What a split copy gives its plan (see FilePlan). */
export interface SplitCopy {
  sha256: string
  invalid: number
  invalidLines: number[]
  blanked: number
  /** Lines in the file: its newlines, and a last line without one. */
  lines: number
  parts: CopyPart[]
}

/**
 * Writes the UTF-8 copy of an uncompressed file in parts (see above), hashing the original meanwhile. Returns
 * undefined when the file is not worth splitting or has no place to cut (then it is copied on one thread).
 */
export async function splitCopy(
  file: string,
  bytes: number,
  copy: string,
  encoding: LogMapping['encoding'],
  quoted: boolean,
  pool: PartPool,
  onBytes?: (n: number) => void,
  /** The original's SHA-256 as its first read (prehash.ts) takes it: then it is not read a second time here. */
  sha256Ahead?: Promise<string | undefined>,
): Promise<SplitCopy | undefined> {
  const count = splitting.parts > 0 ? splitting.parts : Math.min(8, availableParallelism())
  if (bytes < splitting.minBytes || count < 2) return undefined
  const cuts = await findCuts(file, bytes, count)
  if (!cuts) return undefined
  // The header line as the first part's copy starts (a bad header line is emptied there, so here too).
  const head = cleaner(encoding)
  const raw = cuts.first
  const out = Buffer.allocUnsafe(raw.length * 3 + 4)
  const header = Buffer.from(out.subarray(0, head.decodeInto(raw, out, false)))
  const starts = [0, ...cuts.at]
  const jobs: PartJob[] = starts.map((start, k) => ({
    file,
    start,
    end: starts[k + 1] ?? bytes,
    out: `${copy}.${k}`,
    header: k === 0 ? new Uint8Array(0) : header,
    encoding,
    style: k === 0 ? 0 : cuts.style,
    quoted,
  }))
  const [results, sha256] = await Promise.all([
    pool.run(jobs),
    (sha256Ahead ?? Promise.resolve(undefined)).then(
      async (h) => h ?? (await hashBytes(file, {planned: bytes, onBytes})).sha256,
    ),
  ])

  const parts: CopyPart[] = []
  const invalidLines: number[] = []
  let before = 0
  // A copy with any double quote in it (csv, tsv) is joined back into one file: whether a cut fell inside a quoted
  // field cannot be told from a count of quotes (the engine reads a quote inside an unquoted field as a character, so
  // \`ab"c\` and a quoted line break at the cut make an even count), and a part that starts inside quotes would open a
  // field never closed and lose every row after it without a word. Joined, the copy is byte for byte the one-thread
  // copy; the decoding still ran on every core. Logs rarely quote anything, so this costs a second write rarely.
  const join = quoted && results.some((r) => r.quotes > 0)
  for (const [k, r] of results.entries()) {
    invalidLines.push(...r.invalidLines.map((l) => l + before))
    if (k > 0 && join) {
      await appendPart(jobs[k].out, header.length, parts[0].path)
      await rm(jobs[k].out, {force: true})
    } else parts.push({path: jobs[k].out, shift: k === 0 ? 0 : before - 1})
    before += r.lines
  }

  return {
    sha256,
    invalid: results.reduce((a, r) => a + r.invalid, 0),
    invalidLines: invalidLines.slice(0, 5),
    blanked: results.reduce((a, r) => a + r.blanked, 0),
    lines: before + (results.at(-1)?.tail ? 1 : 0),
    parts,
  }
}

/**
 * Where to cut: after the first LF at or past each 1/n of the file, never inside the header line. Also the header
 * line's bytes and the file's line ending. Undefined when the header line has no LF in its first MiB.
 */
async function findCuts(
  file: string,
  bytes: number,
  count: number,
): Promise<{at: number[]; first: Buffer; style: 1 | 2} | undefined> {
  const fh = await openRegular(file)
  try {
    const buf = Buffer.allocUnsafe(1 << 16)
    const head = Buffer.allocUnsafe(CHUNK)
    const {bytesRead} = await fh.read(head, 0, CHUNK, 0)
    const nl = head.subarray(0, bytesRead).indexOf(0x0a)
    if (nl === -1) return undefined
    const first = Buffer.from(head.subarray(0, nl + 1))
    const style = nl > 0 && head[nl - 1] === 0x0d ? 2 : 1
    const at: number[] = []
    for (let k = 1; k < count; k++) {
      let pos = Math.max(Math.floor((bytes * k) / count), nl + 1, at.at(-1) ?? 0)
      let cut = -1
      while (pos < bytes && cut === -1) {
        const {bytesRead: n} = await fh.read(buf, 0, buf.length, pos)
        if (n === 0) break
        const i = buf.subarray(0, n).indexOf(0x0a)
        if (i === -1) pos += n
        else cut = pos + i + 1
      }

      if (cut === -1 || cut >= bytes) break
      if (cut > (at.at(-1) ?? 0)) at.push(cut)
    }

    return at.length > 0 ? {at, first, style} : undefined
  } finally {
    await fh.close()
  }
}

/** Appends `from` (after its first `skip` bytes) to `to`. */
async function appendPart(from: string, skip: number, to: string): Promise<void> {
  const source = await open(from, 'r')
  let sink: FileHandle | undefined
  try {
    sink = await open(to, 'a')
    const buf = Buffer.allocUnsafe(CHUNK)
    for (let pos = skip; ;) {
      const {bytesRead} = await source.read(buf, 0, CHUNK, pos)
      if (bytesRead === 0) break
      for (let at = 0; at < bytesRead;) at += (await sink.write(buf, at, bytesRead - at)).bytesWritten
      pos += bytesRead
    }
  } finally {
    await source.close()
    await sink?.close()
  }
}

/**
 * Worker threads for `decodePart`, started on first use and kept for the review's other files (`close` ends them).
 * From TypeScript sources (tests) there is no compiled worker file: the parts are decoded one after another here.
 */
export class PartPool {
  private workers: Worker[] = []
  private readonly waiting = new Map<
    number,
    {resolve: (r: PartResult) => void; reject: (e: Error) => void; w: Worker}
  >()
  private next = 0

  async run(jobs: PartJob[]): Promise<PartResult[]> {
    if (!existsSync(splitting.worker)) {
      const out: PartResult[] = []
      for (const job of jobs) out.push(await decodePart(job))
      return out
    }

    const want = Math.min(jobs.length, availableParallelism())
    while (this.workers.length < want) this.workers.push(this.start())
    return Promise.all(jobs.map((job, i) => this.send(this.workers[i % this.workers.length], job)))
  }

  async close(): Promise<void> {
    const workers = this.workers
    this.workers = []
    await Promise.all(workers.map((w) => w.terminate()))
  }

  private send(w: Worker, job: PartJob): Promise<PartResult> {
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, {resolve, reject, w})
      w.postMessage({id, job})
    })
  }

  private start(): Worker {
    const w = new Worker(splitting.worker)
    splitting.started++
    // A review that ends with an error still closes the pool; this only makes sure no worker keeps the process.
    w.unref()
    w.on('message', (msg: {id: number; result?: PartResult; error?: string}) => {
      const waiter = this.waiting.get(msg.id)
      this.waiting.delete(msg.id)
      if (msg.error === undefined) waiter?.resolve(msg.result!)
      else waiter?.reject(new Error(msg.error))
    })
    const fail = (error: Error) => {
      this.workers = this.workers.filter((x) => x !== w)
      for (const [id, waiter] of this.waiting)
        if (waiter.w === w) {
          this.waiting.delete(id)
          waiter.reject(error)
        }
    }

    w.on('error', fail)
    w.on('exit', (code) => fail(new Error(`a decoding thread stopped (exit code ${code})`)))
    return w
  }
}
