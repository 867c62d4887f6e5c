import {createReadStream, type ReadStream} from 'node:fs'
import {createInterface} from 'node:readline'
import {createGunzip} from 'node:zlib'

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

/** The columns (0-based) whose emptiness makes a row unusable (csv, tsv), and the delimiter. */
export interface EmptyColumns {
  columns: readonly number[]
  delimiter: string
}

/** Whether a CSV line has an empty field (nothing between delimiters, or `""`) at one of `empty.columns`. */
function emptyAt(line: string, empty: EmptyColumns): boolean {
  let col = 0
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
    else if (ch === empty.delimiter || i === line.length) {
      const field = line.slice(start, i)
      if ((field === '' || field === '""') && empty.columns.includes(col)) return true
      col++
      start = i + 1
    }
  }

  return false
}

/**
 * A raw value to look for: the line must hold `text` (an empty text: any data line) and, with `empty`, have an empty
 * field in one of the columns a row cannot do without (the row was unusable for that empty field, and a good row with
 * the same time must not be shown in its place). `want`: how many such lines to find at most.
 */
export interface Needle {
  text: string
  empty: boolean
  want: number
}

/**
 * Finds the lines that hold given raw values, up to `want` of each, to point at rows the engine read but could not
 * use (a bad time, an empty terminal). The engine does not number the rows it reads, so this second, bounded pass
 * runs only for files that had such rows, and stops as soon as every value is found as often as wanted. The empty-field
 * check needs the columns (`empty`, csv and tsv); without them any empty field counts.
 */
export async function locateLines(
  path: string,
  gzip: boolean,
  needles: readonly Needle[],
  empty?: EmptyColumns,
): Promise<Map<Needle, number[]>> {
  const found = new Map<Needle, number[]>(needles.map((w) => [w, []]))
  let open = needles.filter((w) => w.want > 0)
  if (open.length === 0) return found
  const {input, raw} = bytesOf(path, gzip)
  const lines = createInterface({input, crlfDelay: Number.POSITIVE_INFINITY})
  let n = 0
  try {
    for await (const line of lines) {
      n++
      for (const w of open) {
        // An empty text is looked for on data lines only (the first line of a csv or tsv file is its header).
        const hit =
          (w.text === '' ? n > 1 : line.includes(w.text)) &&
          (!w.empty || (empty ? emptyAt(line, empty) : /(^|[,\t])\s*([,\t]|$)/.test(line)))
        if (hit) found.get(w)!.push(n)
      }

      open = open.filter((w) => found.get(w)!.length < w.want)
      if (open.length === 0) break
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
