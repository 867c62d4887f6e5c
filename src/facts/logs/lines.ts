/**
 * What the review's UTF-8 copies of log files share (CP932 decoded, or UTF-8 with invalid bytes): the engine reads
 * only valid UTF-8 with one kind of line ending. Measured with DuckDB 1.5 here: an invalid UTF-8 byte in some columns
 * aborts the whole scan and invalidates the database, and a bare CR, or a line ending that differs from the file's
 * first (LF in a CRLF file, CRLF in an LF file), stops the CSV reader ("state machine reached an invalid state").
 *
 * So a copy is cleaned line by line, keeping every line's number: a line with an invalid sequence or a bare CR is
 * emptied (its line ending kept) and counted and located here (`blanked`, `invalidLines`); every line ending is
 * written as the first line's (LF or CRLF), so that a mixed file is read, not refused. A line longer than
 * `MAX_LINE` is emptied too (within a block by `newline`, longer than a whole block by `longLine`).
 */

/**
 * The longest line (bytes, without its line ending) the engine is given; a longer one is emptied in the copy and is
 * an unparseable line (counted, located). The engine's own limit is set above it, so it never meets a longer line.
 */
export const MAX_LINE = 1 << 20

/** Line state kept between the calls of a cleaner. */
export interface LineState {
  /** Line ending of the file, from its first line: 0 not seen yet, 1 LF, 2 CRLF. */
  style: 0 | 1 | 2
  /** The current line has an invalid sequence or a bare CR. */
  bad: boolean
  /** The next call starts at the beginning of a line (the last one ended with a newline). */
  start: boolean
}

/** A decoder that writes cleaned lines (see above). */
export interface LineCleaner {
  /** The current line (1-based) of the input. */
  line: number
  /** Lines emptied in the copy. */
  blanked: number
  /**
   * Set at the end of the input: its last line has no newline (it is a line of the file all the same, which `line`,
   * one more than the newlines read, does not count once the input is over).
   */
  tail: boolean
  /** The first lines (1-based) with an invalid sequence or a bare CR. */
  readonly invalidLines: number[]
  /** Marks the current line bad (and records its position). */
  badLine(): void
  /** Starts at the beginning of a line inside a file whose line ending is known (a part of it, see parts.ts). */
  resumeLines(style: 1 | 2): void
}

/** Writes U+FFFD (EF BF BD) at `o`, returns the offset after it. */
export function fffd(out: Buffer, o: number): number {
  out[o] = 0xef
  out[o + 1] = 0xbf
  out[o + 2] = 0xbd
  return o + 3
}

/**
 * At `input[i]`, a LF, or (cleaning) a CR: writes the line ending and returns the offsets after it. Cleaning, a bad
 * line is emptied first (back to `lineStart`), and a CR not followed by LF is a bare CR: the line is marked bad and
 * `o` is returned as -1 (the caller writes the CR as a space and goes on).
 */
export function newline(
  c: LineCleaner,
  st: LineState,
  input: Buffer,
  i: number,
  out: Buffer,
  o: number,
  lineStart: number,
  clean: boolean,
): {i: number; o: number} {
  if (!clean) {
    out[o++] = 0x0a
    c.line++
    return {i: i + 1, o}
  }

  let crlf = false
  if (input[i] === 0x0d) {
    if (i + 1 >= input.length || input[i + 1] !== 0x0a) {
      c.badLine()
      return {i, o: -1}
    }

    crlf = true
    i += 2
  } else i++

  if (lineStart >= 0 && o - lineStart > MAX_LINE && !st.bad) c.badLine()

  if (st.style === 0) st.style = crlf ? 2 : 1
  if (st.bad) {
    if (lineStart >= 0) {
      o = lineStart
      c.blanked++
    }

    st.bad = false
  }

  if (st.style === 2) out[o++] = 0x0d
  out[o++] = 0x0a
  c.line++
  return {i, o}
}

/**
 * Ends a call: at the end of the input, a bad last line without a newline is emptied. Records whether the next call
 * starts at the beginning of a line. Returns the bytes written.
 */
export function endBlock(
  c: LineCleaner,
  st: LineState,
  o: number,
  lineStart: number,
  end: boolean,
  clean: boolean,
): number {
  if (!clean) return o
  if (end) c.tail = lineStart < 0 || o > lineStart || st.bad
  if (end && lineStart >= 0 && o - lineStart > MAX_LINE && !st.bad) c.badLine()
  if (end && st.bad) {
    if (lineStart >= 0) {
      o = lineStart
      c.blanked++
    }

    st.bad = false
  }

  st.start = lineStart === o
  return o
}

/** A cleaner that empties lines longer than a whole block (see {@link longLine}). */
export interface LongLines {
  /** Inside a line longer than a whole block: its bytes are dropped until its newline. */
  skipping: boolean
}

/**
 * A line longer than a whole block (BLOCK, twice `MAX_LINE`) is emptied in the copy and counted, as a line with an
 * invalid byte is. The engine would reject it as over-long, but DuckDB 1.5 drops some such lines without a word: in a
 * 300,000-line file with lines of 8 to 33 MB, two of the six were gone with no reject (16 and 33 MB).
 * The readers hand such a line over one block at a time, each block without a newline (see `wholeLines`' callers);
 * nothing of it is written, and when its newline comes an empty line takes its place. Called first by a cleaner's
 * `decodeInto` (see {@link decodeCleaned}): returns the input left to decode (from the start of the next line) and the
 * bytes written.
 */
export function longLine(
  c: LineCleaner & LongLines,
  st: LineState,
  input: Buffer,
  out: Buffer,
  end: boolean,
): {rest: Buffer; o: number} {
  if (!c.skipping) {
    if (end || input.length < BLOCK || input.includes(0x0a)) return {rest: input, o: 0}
    c.skipping = true
    c.badLine()
    st.bad = false
  }

  const lf = input.indexOf(0x0a)
  if (lf === -1) {
    if (end) {
      // The file ends inside the line: nothing of it was written.
      c.skipping = false
      c.blanked++
      c.tail = true
    }

    return {rest: input.subarray(input.length), o: 0}
  }

  const style = st.style === 0 ? (lf > 0 && input[lf - 1] === 0x0d ? 2 : 1) : st.style
  st.style = style
  let o = 0
  if (style === 2) out[o++] = 0x0d
  out[o++] = 0x0a
  c.line++
  c.blanked++
  c.skipping = false
  st.start = true
  return {rest: input.subarray(lf + 1), o}
}

/**
 * A cleaner's `decodeInto`: a line longer than a whole block is dropped first (see {@link longLine}), and what is
 * left of the input goes to the cleaner's own `decode`, written after whatever `longLine` wrote.
 */
export function decodeCleaned(
  c: LineCleaner & LongLines,
  st: LineState,
  input: Buffer,
  out: Buffer,
  end: boolean,
  decode: (input: Buffer, out: Buffer, end: boolean) => number,
): number {
  const {rest, o} = longLine(c, st, input, out, end)
  if (o === 0 && rest === input) return decode(input, out, end)
  return o + (rest.length > 0 || end ? decode(rest, out.subarray(o), end) : 0)
}

/** Bytes read at a time from a log file. */
export const CHUNK = 1 << 20
/** The most bytes of whole lines handled at once: a longer line (over the engine's 1 MiB) is cut. */
export const BLOCK = 2 * CHUNK

/** The length of `buf` up to and including its last LF, or 0 when it has none. */
export function wholeLines(buf: Buffer, length: number): number {
  const at = buf.lastIndexOf(0x0a, length - 1)
  return at + 1
}
