import {Transform, type TransformCallback} from 'node:stream'

import {decodeCleaned, endBlock, fffd, type LineCleaner, type LineState, type LongLines, newline} from './lines.js'

/**
 * CP932 (Windows-31J, what Japanese business systems export as "Shift_JIS") → UTF-8, fast: a lookup table built once
 * from Node's own `TextDecoder('shift_jis')` (the WHATWG Shift_JIS decoder, which is CP932), then a byte loop.
 * ICU's decoder alone ran at ~75 MB/s here, too slow for a month of logs; ASCII bytes are copied as they are.
 *
 * A byte sequence that is not CP932 becomes U+FFFD, so the copy is always valid UTF-8: the engine's CSV reader does not
 * reject a line with an invalid byte in every column, it can abort the whole scan ("database has been invalidated").
 * With `clean` (what the review's copies use, see CleanLines), a line with an invalid sequence is emptied instead and
 * counted (`blanked`, `invalidLines`), so its number stays that of the original file and the engine never sees it.
 */
let table: Uint16Array | undefined

function buildTable(): Uint16Array {
  const t = new Uint16Array(65_536)
  const decoder = new TextDecoder('shift_jis', {fatal: true})
  const pair = new Uint8Array(2)
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead >= 0xa0 && lead <= 0xdf) continue
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue
      pair[0] = lead
      pair[1] = trail
      try {
        const s = decoder.decode(pair)
        if (s.length === 1) t[(lead << 8) | trail] = s.charCodeAt(0)
      } catch {
        // not a CP932 character: stays 0
      }
    }
  }

  return t
}

/** A streaming CP932 → UTF-8 transform that counts invalid sequences and remembers the first lines they are on. */
export class Cp932ToUtf8 extends Transform implements LineCleaner, LongLines {
  /** Lines (1-based) with an invalid byte sequence (or, with `clean`, a bare CR), the first few. */
  readonly invalidLines: number[] = []
  /** Invalid byte sequences. */
  invalid = 0
  /** With `clean`: lines emptied in the copy because they held an invalid sequence or a bare CR. */
  blanked = 0
  /** The input's last line has no newline (set at its end, see LineCleaner). */
  tail = false
  /** Lines (1-based) of the copy so far: one more than the newlines read. */
  line = 1
  skipping = false
  private pending = -1
  private readonly maxPositions: number
  private readonly clean: boolean
  private state: LineState = {style: 0, bad: false, start: true}

  constructor(maxPositions = 5, options: {clean?: boolean} = {}) {
    super()
    table ??= buildTable()
    this.maxPositions = maxPositions
    this.clean = options.clean ?? false
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    done(null, this.convert(chunk, false))
  }

  override _flush(done: TransformCallback): void {
    done(null, this.convert(Buffer.alloc(0), true))
  }

  private bad(): void {
    this.invalid++
    this.state.bad = true
    if (this.invalidLines.length < this.maxPositions && this.invalidLines.at(-1) !== this.line)
      this.invalidLines.push(this.line)
  }

  private convert(input: Buffer, end: boolean): Buffer {
    const out = Buffer.allocUnsafe(input.length * 3 + 4)
    return out.subarray(0, this.decodeInto(input, out, end))
  }

  /**
   * Decodes `input` (the next bytes of the stream; `end` when it is the last) into `out`, which must hold
   * `input.length * 3 + 4` bytes, and returns how many bytes it wrote. A caller that reuses `out` allocates nothing
   * per chunk: a fresh chunk's pages cost more than decoding them.
   */
  decodeInto(input: Buffer, out: Buffer, end: boolean): number {
    if (!this.clean) return this.decodeLines(input, out, end)
    return decodeCleaned(this, this.state, input, out, end, (i, o, e) => this.decodeLines(i, o, e))
  }

  private decodeLines(input: Buffer, out: Buffer, end: boolean): number {
    let o = 0
    let i = 0
    // The output offset where the current line starts, or -1 when it started in an earlier call (then it cannot be
    // emptied; cleaning, no line spans calls: one longer than a whole block is dropped whole, see `longLine`).
    let lineStart = this.state.start ? 0 : -1
    if (this.pending >= 0 && input.length > 0) {
      const ok = this.double(this.pending, input[0], out, o)
      // An invalid pair whose second byte is ASCII gives that byte back (as WHATWG does): read it again on its own.
      i = ok < 0 && input[0] < 0x80 ? 0 : 1
      o = Math.abs(ok)
      this.pending = -1
    }

    // The loop keeps everything in locals and decodes a pair inline: a call per character and the line count kept
    // on the object made it run at about 140 MB/s; the line number is needed only for an invalid sequence.
    const t = table!
    const n = input.length
    let line = this.line
    while (i < n) {
      let b = input[i]
      // A run of ASCII other than a line ending, copied in a loop of its own (most of a log line): about a third
      // less CPU for the whole decode than taking every byte through the branches below.
      while (b < 0x80 && b !== 0x0a && b !== 0x0d) {
        out[o++] = b
        if (++i === n) break
        b = input[i]
      }

      if (i === n) break
      if (b < 0x80) {
        if (b === 0x0a || (b === 0x0d && this.clean)) {
          this.line = line
          const next = newline(this, this.state, input, i, out, o, lineStart, this.clean)
          if (next.o < 0) {
            // A bare CR: the line is bad; the CR itself is written as a space (the line is emptied, unless it spans calls).
            out[o++] = 0x20
            i++
            continue
          }

          o = next.o
          i = next.i
          line = this.line
          lineStart = o
          continue
        }

        out[o++] = b
        i++
      } else if (b >= 0xa1 && b <= 0xdf) {
        // Half-width katakana: U+FF61..U+FF9F, three UTF-8 bytes.
        const cp = 0xff61 + (b - 0xa1)
        out[o++] = 0xe0 | (cp >> 12)
        out[o++] = 0x80 | ((cp >> 6) & 0x3f)
        out[o++] = 0x80 | (cp & 0x3f)
        i++
      } else if (b === 0x80) {
        out[o++] = 0xc2
        out[o++] = 0x80
        i++
      } else if (b === 0xa0 || b >= 0xfd) {
        // Not a lead byte (WHATWG): invalid on its own, and the byte after it is read as what it is.
        this.line = line
        this.bad()
        o = fffd(out, o)
        i++
      } else if (i + 1 < n) {
        const trail = input[i + 1]
        const cp = t[(b << 8) | trail]
        if (cp === 0) {
          this.line = line
          this.bad()
          o = fffd(out, o)
          // An invalid pair whose second byte is ASCII gives that byte back (as WHATWG does): read it again on its own.
          i += trail < 0x80 ? 1 : 2
        } else {
          if (cp < 0x800) {
            out[o++] = 0xc0 | (cp >> 6)
            out[o++] = 0x80 | (cp & 0x3f)
          } else {
            out[o++] = 0xe0 | (cp >> 12)
            out[o++] = 0x80 | ((cp >> 6) & 0x3f)
            out[o++] = 0x80 | (cp & 0x3f)
          }

          i += 2
        }
      } else {
        this.pending = b
        i++
      }
    }

    this.line = line
    if (end && this.pending >= 0) {
      this.bad()
      o = fffd(out, o)
      this.pending = -1
    }

    return endBlock(this, this.state, o, lineStart, end, this.clean)
  }

  /** Starts at the beginning of a line inside a file whose line ending is known (a part of it, see parts.ts). */
  resumeLines(style: 1 | 2): void {
    this.state.style = style
  }

  badLine(): void {
    this.state.bad = true
    if (this.invalidLines.length < this.maxPositions && this.invalidLines.at(-1) !== this.line)
      this.invalidLines.push(this.line)
  }

  /**
   * Writes the character of a lead/trail pair and returns the new output offset; for an invalid pair it writes 0xFF
   * and returns the offset negated.
   */
  private double(lead: number, trail: number, out: Buffer, o: number): number {
    const cp = table![(lead << 8) | trail]
    if (cp === 0) {
      this.bad()
      return -fffd(out, o)
    }

    if (cp < 0x800) {
      out[o++] = 0xc0 | (cp >> 6)
      out[o++] = 0x80 | (cp & 0x3f)
    } else {
      out[o++] = 0xe0 | (cp >> 12)
      out[o++] = 0x80 | ((cp >> 6) & 0x3f)
      out[o++] = 0x80 | (cp & 0x3f)
    }

    return o
  }
}

let reverse: Map<number, number> | undefined

/** UTF-8 text → CP932 bytes (for generated test logs); a character CP932 cannot hold is written as `?`. */
export function encodeCp932(text: string): Buffer {
  if (!reverse) {
    table ??= buildTable()
    reverse = new Map()
    for (let code = 0; code < 65_536; code++) {
      const cp = table[code]
      if (cp !== 0 && !reverse.has(cp)) reverse.set(cp, code)
    }
  }

  const out = Buffer.allocUnsafe(text.length * 2)
  let o = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) out[o++] = c
    else if (c >= 0xff61 && c <= 0xff9f) out[o++] = 0xa1 + (c - 0xff61)
    else {
      const code = reverse.get(c)
      if (code === undefined) out[o++] = 0x3f
      else {
        out[o++] = code >> 8
        out[o++] = code & 0xff
      }
    }
  }

  return out.subarray(0, o)
}
