import {isAscii, isUtf8} from 'node:buffer'
import {createHash} from 'node:crypto'
import {createReadStream, createWriteStream} from 'node:fs'
import {type FileHandle, open, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {Transform, type TransformCallback, Writable} from 'node:stream'
import {createGunzip, gunzipSync} from 'node:zlib'

import {InputError, type Problem} from '../../model/errors.js'
import {columnProblem} from './mapping.js'
import {BLOCK, CHUNK, wholeLines} from './lines.js'
import {checkUtf8, hashBytes, openRegular, stampOf} from './prehash.js'
import {type Cleaner, cleaner, type CopyPart, type PartPool, splitCopy} from './parts.js'
import {LOG_FIELDS, type LogField, type LogMapping} from '../../model/logs.js'

/** How the engine reads one log file: the file itself, or a UTF-8 copy of a Shift_JIS one. */
export interface FilePlan {
  /** The file as the user named it (used in every message). */
  file: string
  /** What the engine reads. */
  path: string
  gzip: boolean
  bytes: number
  /** The file's identity and last change as planned (see `unchanged` and {@link stampOf}). */
  stamp?: string
  /** Known when the file was transcoded (the hash was taken on the way); else computed beside the engine's scan. */
  sha256?: string
  /** Lines the transcoder found invalid (1-based), and how many invalid byte sequences. */
  invalidLines: number[]
  invalid: number
  /**
   * Lines emptied in the copy (an invalid sequence or a bare CR, see lines.ts): the engine never sees them, so the
   * review counts them as unparseable lines itself, at `invalidLines`.
   */
  blanked?: number
  /**
   * Lines in the file (its newlines, and a last line without one), when it was copied (the cleaners count them): what
   * `blanked` lines are checked against.
   */
  lines?: number
  /** Whether the engine can read the file as UTF-8 as it is, when its first read (prehash.ts) found out already. */
  readable?: boolean
  /** The hash its first read (prehash.ts) is taking, if any (undefined when that read failed or saw another size). */
  sha256Ahead?: Promise<string | undefined>
  /** Where a UTF-8 copy of the file goes when the engine cannot read the file itself (see `prepareUtf8`). */
  copy?: string
  /** The header's column names (csv, tsv). */
  header?: string[]
  /**
   * A large plain file's copy written in parts (see parts.ts): what the engine reads instead of `path` (the first
   * part), and how each part's lines map to the file's.
   */
  parts?: CopyPart[]
}

export {stampOf} from './prehash.js'

/** Whether the engine reads `path` (the plan's own, by default) as the gzip file itself, not a copy of it. */
export function readsGzip(plan: FilePlan, path = plan.path): boolean {
  return plan.gzip && path === plan.file
}

/** The files the engine reads for these plans: each plan's copy, or the parts of it. */
export function enginePlans(plans: readonly FilePlan[]): FilePlan[] {
  return plans.flatMap((p) => (p.parts ? p.parts.map((part) => ({...p, path: part.path, parts: undefined})) : [p]))
}

/** Threads that write large copies in parts, and whether the format can hold a line break inside quotes. */
export interface Split {
  pool: PartPool
  quoted: boolean
}

const GZIP_MAGIC = [0x1f, 0x8b]
/** What is wrong with a gzip stream the reader stopped in. */
const GZIP_BAD = 'gzip stream is cut short, corrupt, or followed by bytes that are not gzip'

/** The header line is read from at most this many bytes; a longer first line is not a header. */
const HEADER_LIMIT = 1 << 20

/**
 * Checks every file of a mapping before anything heavy runs: readable, a header naming every mapped column (csv,
 * tsv) or the mapped keys on the first line (jsonl). A missing column is exit 2 at the field in the mapping.
 */
export async function planFiles(mapping: LogMapping, tmpDir: string, counter: {n: number}): Promise<FilePlan[]> {
  const problems: Problem[] = []
  const plans: FilePlan[] = []
  // A column missing from every daily file is one problem, not one per file.
  const missing = new Map<string, {problem: Problem; more: number}>()
  for (const file of mapping.files) {
    let bytes: number
    let stamp: string
    try {
      const st = await stat(file)
      if (!st.isFile()) {
        problems.push({code: 'E_NOT_FILE', message: 'not a regular file', file})
        continue
      }

      bytes = st.size
      stamp = stampOf(st)
    } catch (error) {
      problems.push({code: 'E_READ', message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}`, file})
      continue
    }

    let head: Buffer
    try {
      head = await readHead(file)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      problems.push({code: 'E_READ', message: `cannot read: ${code ?? (error as Error).message}`, file})
      continue
    }

    const magic = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]
    const gzip = mapping.compression === 'gzip' || (mapping.compression === 'auto' && magic)
    const plan: FilePlan = {file, path: file, gzip, bytes, stamp, invalidLines: [], invalid: 0}
    // An empty export has no header and no rows: the engine does not read it, and its days show up as days without
    // logs; it is still listed, with the hash of no bytes, among the files the review read.
    if (bytes === 0) {
      plans.push({...plan, sha256: createHash('sha256').digest('hex')})
      continue
    }

    if (mapping.format !== 'parquet') {
      let start: Buffer
      try {
        start = gzip ? gunzipHead(head) : head
      } catch {
        // With the magic bytes, the stream itself is bad, or bytes that are not gzip follow it (gzip -d would warn of
        // "trailing garbage" and still exit non-zero): a file that cannot be read whole is not reviewed in part.
        problems.push({code: 'E_READ', message: magic ? GZIP_BAD : 'not a gzip file (compression: gzip)', file})
        continue
      }

      const line = firstLine(start)
      const checked = checkColumns(mapping, decodeLine(line, mapping.encoding), file, encodingHint(line, mapping))
      for (const {field, problem} of checked.problems) {
        const seen = missing.get(field)
        if (seen) seen.more++
        else missing.set(field, {problem, more: 0})
      }

      plan.header = checked.header
    }

    if (mapping.format !== 'parquet') plan.copy = join(tmpDir, `${counter.n++}.txt`)
    // A Shift_JIS file is always read through its UTF-8 copy; a gzip UTF-8 one too (inflated and checked once).
    if (mapping.format !== 'parquet' && (mapping.encoding === 'shift_jis' || gzip)) plan.path = plan.copy!
    plans.push(plan)
  }

  for (const {problem, more} of missing.values())
    problems.push(more > 0 ? {...problem, message: `${problem.message} (and ${more} more files)`} : problem)
  if (problems.length > 0) throw new InputError(problems)
  return plans
}

/**
 * Writes the UTF-8 copy of a file (`plan.path`): CP932 decoded, or UTF-8 cleaned (see lines.ts), hashing the
 * original bytes on the way. The decoder is fed whole lines, so that a bad line can be emptied in the copy. With
 * `split`, a large uncompressed file is copied in parts by several threads (see parts.ts); a gzip stream cannot be cut.
 */
export async function transcode(
  plan: FilePlan,
  onBytes?: (n: number) => void,
  encoding: LogMapping['encoding'] = 'shift_jis',
  split?: Split,
): Promise<void> {
  await copyOnce(plan, onBytes, encoding, split)
  // The copy, and the hash taken on the way, are of the planned file only if it is still the one planned (a gzip
  // stream is read to its end whatever its size, and a same-size rewrite is not seen by a size).
  await unchanged(plan)
}

async function copyOnce(
  plan: FilePlan,
  onBytes: ((n: number) => void) | undefined,
  encoding: LogMapping['encoding'],
  split: Split | undefined,
): Promise<void> {
  const decoder = cleaner(encoding)
  if (!plan.gzip && split) {
    let done: Awaited<ReturnType<typeof splitCopy>>
    try {
      done = await splitCopy(
        plan.file,
        plan.bytes,
        plan.path,
        encoding,
        split.quoted,
        split.pool,
        onBytes,
        plan.sha256Ahead,
      )
    } catch (error) {
      throw new InputError([{code: 'E_READ', message: `cannot read: ${(error as Error).message}`, file: plan.file}])
    }

    if (done) {
      const {parts, ...found} = done
      Object.assign(plan, found, {path: parts[0].path, parts: parts.length > 1 ? parts : undefined})
      return
    }
  }

  if (!plan.gzip) return transcodePlain(plan, decoder, onBytes)
  const hash = createHash('sha256')
  const tap = new Transform({
    transform(chunk: Buffer, _e, done: TransformCallback) {
      hash.update(chunk)
      onBytes?.(chunk.length)
      done(null, chunk)
    },
  })
  const source = createReadStream(plan.file, {highWaterMark: 1 << 20})
  const sink = createWriteStream(plan.path)
  try {
    await pipeline(source, tap, createGunzip(), new LinesTransform(decoder), sink)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code?.startsWith('Z_')
      ? GZIP_BAD
      : `cannot read: ${(error as Error).message}`
    throw new InputError([{code: 'E_READ', message: reason, file: plan.file}])
  }

  finish(plan, decoder, hash.digest('hex'))
}

function finish(plan: FilePlan, decoder: Cleaner, sha256: string): void {
  plan.sha256 = sha256
  plan.invalid = decoder.invalid
  plan.invalidLines = decoder.invalidLines
  plan.blanked = decoder.blanked
  plan.lines = decoder.line - 1 + (decoder.tail ? 1 : 0)
}

/** Hands a stream to a cleaner in blocks of whole lines (a line longer than BLOCK is cut). */
class LinesTransform extends Transform {
  private carry = Buffer.alloc(0)

  constructor(private readonly decoder: Cleaner) {
    super()
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    const input = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk
    let upto = wholeLines(input, input.length)
    if (upto === 0 && input.length >= BLOCK) upto = input.length
    this.carry = Buffer.from(input.subarray(upto))
    done(null, this.decode(input.subarray(0, upto), false))
  }

  override _flush(done: TransformCallback): void {
    done(null, this.decode(this.carry, true))
  }

  private decode(input: Buffer, end: boolean): Buffer {
    const out = Buffer.allocUnsafe(input.length * 3 + 4)
    return out.subarray(0, this.decoder.decodeInto(input, out, end))
  }
}

/**
 * `transcode` for an uncompressed file: one input and one output buffer reused for every block, written straight to
 * the copy. Streams allocated a fresh chunk per read and per decoded chunk, and faulting in those pages cost twice
 * the decoding itself (83 against 250 MB/s on the bench's logs). Each block ends after its last newline; the rest
 * is moved to the front of the buffer and read on with the next.
 */
async function transcodePlain(plan: FilePlan, decoder: Cleaner, onBytes?: (n: number) => void): Promise<void> {
  const hash = createHash('sha256')
  const input = Buffer.allocUnsafe(BLOCK)
  const output = Buffer.allocUnsafe(BLOCK * 3 + 4)
  let source: FileHandle | undefined
  let sink: FileHandle | undefined
  try {
    source = await openRegular(plan.file)
    sink = await open(plan.path, 'w')
    let total = 0
    let carry = 0
    for (;;) {
      const {bytesRead} = await source.read(input, carry, Math.min(CHUNK, BLOCK - carry))
      total += bytesRead
      // Read only the bytes planned: a file that grows or shrinks meanwhile would be hashed and reviewed as other
      // than the size recorded (and one that keeps growing would never end).
      if (total > plan.bytes || (bytesRead === 0 && total < plan.bytes))
        throw new Error(`the file changed while it was read (${plan.bytes} bytes when planned)`)
      hash.update(input.subarray(carry, carry + bytesRead))
      const have = carry + bytesRead
      const last = bytesRead === 0
      let upto = last ? have : wholeLines(input, have)
      if (upto === 0 && have === BLOCK) upto = have
      const n = decoder.decodeInto(input.subarray(0, upto), output, last)
      for (let at = 0; at < n;) at += (await sink.write(output, at, n - at)).bytesWritten
      if (last) break
      carry = have - upto
      input.copyWithin(0, upto, have)
      onBytes?.(bytesRead)
    }
  } catch (error) {
    throw new InputError([{code: 'E_READ', message: `cannot read: ${(error as Error).message}`, file: plan.file}])
  } finally {
    await source?.close()
    await sink?.close()
  }

  finish(plan, decoder, hash.digest('hex'))
}

/**
 * Refuses a file that changed since it was planned (see {@link stampOf}): after the scan for a file the engine read
 * itself, after the copy for one read through a copy. The engine and the hash read a file separately, so a file
 * written meanwhile (a growing export) would be reviewed and recorded as neither the planned file nor the final one.
 * Exit 2.
 */
export async function unchanged(plan: FilePlan): Promise<void> {
  let st
  try {
    st = await stat(plan.file)
  } catch (error) {
    throw new InputError([
      {code: 'E_READ', message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}`, file: plan.file},
    ])
  }

  if (st.size !== plan.bytes || (plan.stamp !== undefined && stampOf(st) !== plan.stamp)) {
    const how =
      st.size === plan.bytes ? `rewritten, ${st.size} bytes` : `${plan.bytes} bytes when planned, ${st.size} now`
    throw new InputError([
      {
        code: 'E_READ',
        message: `the file changed while it was read (${how}): review it again once it is complete`,
        file: plan.file,
      },
    ])
  }
}

/** Whether the engine can read an uncompressed UTF-8 file itself (see `checkUtf8`); a read error is exit 2. */
export async function readableUtf8(plan: FilePlan): Promise<boolean> {
  try {
    return (await checkUtf8(plan.file)).readable
  } catch (error) {
    throw new InputError([{code: 'E_READ', message: `cannot read: ${(error as Error).message}`, file: plan.file}])
  }
}

/**
 * Makes a UTF-8 file readable by the engine: a gzip one, and a plain one that `readableUtf8` refuses (or that the
 * engine could not read, `force`), are copied cleaned (see lines.ts), hashed on the way; a plain readable one is read
 * as it is (hashed beside the engine's scan). Returns whether a copy was made.
 */
export async function prepareUtf8(
  plan: FilePlan,
  force = false,
  onBytes?: (n: number) => void,
  split?: Split,
): Promise<boolean> {
  if (!plan.copy) return false
  if (!plan.gzip && !force && (plan.readable ?? (await readableUtf8(plan)))) return false
  plan.path = plan.copy
  await transcode(plan, onBytes, 'utf-8', split)
  return true
}

/**
 * SHA-256 of a file's bytes as stored (compressed or not): what the ledger records as evidence. A gzip file is
 * inflated on the way, because the engine reads a stream that is cut short without complaint: a truncated export
 * would otherwise lose its last lines silently.
 */
export async function hashFile(file: string, gzip = false): Promise<string> {
  try {
    if (!gzip) return (await hashBytes(file)).sha256
    const hash = createHash('sha256')
    const tap = new Transform({
      transform(chunk: Buffer, _e, done: TransformCallback) {
        hash.update(chunk)
        done(null, chunk)
      },
    })
    await pipeline(
      createReadStream(file, {highWaterMark: CHUNK}),
      tap,
      createGunzip(),
      new Writable({write: (_c, _e, done) => done()}),
    )
    return hash.digest('hex')
  } catch (error) {
    const reason =
      gzip && (error as NodeJS.ErrnoException).code?.startsWith('Z_')
        ? GZIP_BAD
        : `cannot read: ${(error as Error).message}`
    throw new InputError([{code: 'E_READ', message: reason, file}])
  }
}

async function readHead(file: string): Promise<Buffer> {
  const fh = await openRegular(file)
  try {
    const buf = Buffer.alloc(HEADER_LIMIT)
    const {bytesRead} = await fh.read(buf, 0, HEADER_LIMIT, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

function gunzipHead(head: Buffer): Buffer {
  // The head is a prefix of the stream: inflate what it holds, ignoring that the stream goes on.
  return gunzipSync(head, {finishFlush: 2 /* Z_SYNC_FLUSH */}).subarray(0, HEADER_LIMIT)
}

/** The first line's bytes, without its line ending. */
function firstLine(bytes: Buffer): Buffer {
  let end = bytes.indexOf(0x0a)
  if (end === -1) end = bytes.length
  const line = bytes.subarray(0, end)
  return line.at(-1) === 0x0d ? line.subarray(0, -1) : line
}

function decodeLine(line: Buffer, encoding: LogMapping['encoding']): string {
  const text = new TextDecoder(encoding === 'shift_jis' ? 'shift_jis' : 'utf-8').decode(line)
  return text.replace(/^\uFEFF/, '')
}

/**
 * Why a header may not name the mapped columns when the mapping's encoding is the wrong one: a UTF-8 export read as
 * Shift_JIS (its byte order mark, or a first line that is valid UTF-8 with Japanese in it), or a Shift_JIS export
 * read as UTF-8 (a first line that is not UTF-8).
 */
function encodingHint(line: Buffer, mapping: LogMapping): string {
  if (mapping.encoding === 'shift_jis') {
    if (line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf)
      return '; the file starts with a UTF-8 byte order mark: is its encoding utf-8?'
    if (!isAscii(line) && isUtf8(line)) return '; its first line reads as UTF-8: is its encoding utf-8?'
  } else if (!isUtf8(line)) return '; its first line is not UTF-8: is its encoding shift_jis?'
  return ''
}

/** The mapped columns must be in the header (csv, tsv) or keys of the first object (jsonl). */
function checkColumns(
  mapping: LogMapping,
  line: string,
  file: string,
  hint = '',
): {problems: {field: LogField; problem: Problem}[]; header?: string[]} {
  const mapped = LOG_FIELDS.filter((f) => mapping.fields[f] !== undefined)
  let names: string[]
  if (mapping.format === 'jsonl') {
    try {
      const first = JSON.parse(line) as unknown
      names = first && typeof first === 'object' && !Array.isArray(first) ? Object.keys(first) : []
    } catch {
      // A broken first line is one unparseable line like any other; the keys are checked on the lines that parse.
      return {problems: []}
    }
  } else names = splitHeader(line, mapping.delimiter)

  const problems: {field: LogField; problem: Problem}[] = []
  // A first line that names none of the mapped columns is likely a row of data (an export without a header line):
  // its values (a customer's name, phone number, supply point) are never printed, only how many there are.
  const noHeader = mapping.format !== 'jsonl' && mapped.every((f) => !names.includes(mapping.fields[f]!))
  for (const field of mapped as LogField[]) {
    const column = mapping.fields[field]!
    if (!names.includes(column)) {
      const shown = noHeader
        ? `${names.length} value(s), none of them a mapped column: is the header line missing, or the delimiter or encoding wrong? They are not shown`
        : names
            .slice(0, 20)
            .map((n) => JSON.stringify(n.slice(0, 40)))
            .join(', ')
      problems.push({
        field,
        problem: columnProblem(
          mapping,
          field,
          `fields.${field}: ${mapping.format === 'jsonl' ? 'key' : 'column'} ${JSON.stringify(column)} is not in ${file} (it has: ${shown || 'nothing'})${hint}`,
        ),
      })
    }
  }

  return {problems, header: mapping.format === 'jsonl' ? undefined : names}
}

/** Splits a CSV header line, honouring double quotes. */
export function splitHeader(line: string, delimiter: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === delimiter) {
      out.push(cur)
      cur = ''
    } else cur += ch
  }

  out.push(cur)
  return out.map((s) => s.trim())
}
