import {createReadStream, type ReadStream} from 'node:fs'
import {createInterface} from 'node:readline'
import {createGunzip} from 'node:zlib'

import {MAX_RECORDS} from '../../model/logs.js'

/** A file's bytes as a stream (decompressed for a gzip file), and the file stream to destroy when done. */
function bytesOf(path: string, gzip: boolean): {input: AsyncIterable<Buffer> & NodeJS.ReadableStream; raw: ReadStream} {
  const raw = createReadStream(path, {highWaterMark: 1 << 20})
  return {input: gzip ? raw.pipe(createGunzip()) : raw, raw}
}

/** The line feeds in `buf` from `from` up to (not including) `to`. */
function lineFeeds(buf: Buffer, from = 0, to = buf.length): number {
  let n = 0
  for (let at = buf.indexOf(0x0a, from); at !== -1 && at < to; at = buf.indexOf(0x0a, at + 1)) n++
  return n
}

/**
 * Where an unusable row shows why, in its line: the columns (0-based) of a csv or tsv file that a row cannot do
 * without (time, terminal, user, action) and its delimiter, or the keys of a JSON Lines file; and the column or key of
 * the record count, when one is mapped.
 */
export type UnusableFields =
  {columns: readonly number[]; delimiter: string; records?: number} | {keys: readonly string[]; records?: string}

/** A csv or tsv line's fields as written (quotes kept): a quoted delimiter does not split. */
function splitFields(line: string, delimiter: string): string[] {
  const out: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i <= line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') i++
        else quoted = false
      }
    } else if (ch === '"') quoted = true
    else if (ch === delimiter || i === line.length) {
      out.push(line.slice(start, i))
      start = i + 1
    }
  }

  return out
}

/** A field without its quotes. */
function unquote(field: string): string {
  return /^".*"$/s.test(field) ? field.slice(1, -1).replaceAll('""', '"') : field
}

/** Whether a record count as logged is one the review rejects: present, and not a whole number of zero or more. */
function badCount(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false
  const digits = /^\s*\+?(\d+)\s*$/.exec(String(value))?.[1]
  return digits === undefined || BigInt(digits) > BigInt(MAX_RECORDS)
}

/** What JSON.parse makes of a line (a BOM before it ignored), or NOT_JSON. */
const NOT_JSON = Symbol('not JSON')
function parseJson(line: string): unknown {
  try {
    return JSON.parse(line.replace(/^\uFEFF/, ''))
  } catch {
    return NOT_JSON
  }
}

/** A JSON line's object, or undefined when it is not one. */
function jsonObject(line: string): Record<string, unknown> | undefined {
  const value = parseJson(line)
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/**
 * Whether a line shows why its row was unusable (see UnusableFields): an empty value where a row cannot do without one
 * (`empty`; for a JSON line, a key missing, null or empty), or a record count the review rejects (`records`). A line
 * that is not JSON is another needle's.
 */
function showsWhy(line: string, where: UnusableFields, mark: 'empty' | 'records'): boolean {
  if ('columns' in where) {
    const fields = splitFields(line, where.delimiter)
    if (mark === 'records') return where.records !== undefined && badCount(unquote(fields[where.records] ?? ''))
    return where.columns.some((c) => fields[c] === '' || fields[c] === '""')
  }

  const object = jsonObject(line)
  if (object === undefined) return false
  if (mark === 'records') return where.records !== undefined && badCount(object[where.records])
  return where.keys.some((k) => object[k] === undefined || object[k] === null || object[k] === '')
}

/**
 * Whether a line may be one the engine found not to be JSON: this reader cannot parse it, or it escapes a surrogate
 * (the engine refuses a lone one, JSON.parse takes it).
 */
function notJson(line: string): boolean {
  return /\\u[dD][89a-fA-F]/.test(line) || parseJson(line) === NOT_JSON
}

/**
 * A raw value to look for: the line must hold `text` (an empty text: any data line) and, with `mark`, show why its
 * row was unusable: an empty value where a row cannot do without one (`empty`), a record count the review rejects
 * (`records`; see showsWhy), or not being JSON (`json`); so that a good row with the same time, or a good JSON line
 * that starts the same, is not shown in its place. `want`: how many such lines to find at most.
 */
export interface Needle {
  text: string
  mark?: 'empty' | 'records' | 'json'
  want: number
}

/**
 * Finds the lines that hold given raw values, up to `want` of each, to point at rows the engine read but could not
 * use (a bad time, an empty terminal). The engine does not number the rows it reads, so this second, bounded pass
 * runs only for files that had such rows, and stops as soon as every value is found as often as wanted, or `limit`
 * lines are found (the first in the file: a later one is never shown). A line is found for one needle at most, and an
 * empty line (emptied in a cleaned copy, never a row) for none.
 */
export async function locateLines(
  path: string,
  gzip: boolean,
  needles: readonly Needle[],
  where: UnusableFields,
  limit = Number.POSITIVE_INFINITY,
): Promise<Map<Needle, number[]>> {
  const found = new Map<Needle, number[]>(needles.map((w) => [w, []]))
  let open = needles.filter((w) => w.want > 0)
  if (open.length === 0 || limit <= 0) return found
  const {input, raw} = bytesOf(path, gzip)
  const lines = createInterface({input, crlfDelay: Number.POSITIVE_INFINITY})
  let n = 0
  let hits = 0
  try {
    for await (const line of lines) {
      n++
      if (line === '') continue
      // A line is one row: it is found for the first needle it answers.
      const w = open.find(
        (w) =>
          // An empty text is looked for on data lines only (the first line of a csv or tsv file is its header).
          (w.text === '' ? n > 1 : line.includes(w.text)) &&
          (w.mark === undefined || (w.mark === 'json' ? notJson(line) : showsWhy(line, where, w.mark))),
      )
      if (!w) continue
      found.get(w)!.push(n)
      if (found.get(w)!.length >= w.want) open = open.filter((o) => o !== w)
      if (++hits >= limit || open.length === 0) break
    }
  } finally {
    lines.close()
    raw.destroy()
  }

  return found
}

/**
 * The line (1-based) that starts at each byte offset of a file, by counting its line feeds (in the decompressed
 * stream of a gzip file). The engine's own line numbers for the lines it rejects drift by one or more after some of
 * its read buffers in a large file (DuckDB 1.5; the byte offsets it gives stay right), so a rejected line is located
 * by its offset. Reads only up to the last offset asked for.
 */
export async function linesAt(path: string, gzip: boolean, offsets: readonly number[]): Promise<Map<number, number>> {
  const wanted = [...new Set(offsets)].filter((o) => Number.isSafeInteger(o) && o >= 0).sort((a, b) => a - b)
  const found = new Map<number, number>()
  if (wanted.length === 0) return found
  const {input, raw} = bytesOf(path, gzip)
  let base = 0
  let line = 1
  let next = 0
  try {
    for await (const chunk of input) {
      const end = base + chunk.length
      let from = 0
      while (next < wanted.length && wanted[next] < end) {
        const upto = wanted[next] - base
        line += lineFeeds(chunk, from, upto)
        from = upto
        found.set(wanted[next++], line)
      }

      if (next === wanted.length) break
      line += lineFeeds(chunk, from)
      base = end
    }
  } finally {
    raw.destroy()
  }

  return found
}

/** The lines of a file (a last line without a newline counts), in the decompressed stream of a gzip file. */
export async function countLines(path: string, gzip: boolean): Promise<number> {
  const {input, raw} = bytesOf(path, gzip)
  let lines = 0
  let last = 0x0a
  try {
    for await (const chunk of input) {
      lines += lineFeeds(chunk)
      if (chunk.length > 0) last = chunk[chunk.length - 1]
    }
  } finally {
    raw.destroy()
  }

  return last === 0x0a ? lines : lines + 1
}
