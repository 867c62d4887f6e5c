import {isUtf8} from 'node:buffer'

import {
  decodeCleaned,
  endBlock,
  fffd,
  type LineCleaner,
  type LineState,
  type LongLines,
  MAX_LINE,
  newline,
} from './lines.js'

/**
 * UTF-8 → cleaned UTF-8 (see lines.ts): a line with an invalid sequence (a byte that is never UTF-8, a lone
 * continuation byte, an overlong form, a surrogate, a code point over U+10FFFF, a sequence cut short) or a bare CR is
 * emptied and counted; line endings become the first line's. Fed blocks of whole lines (a line is cut only when it is
 * longer than a block); a sequence cut by a block's end is invalid.
 *
 * A block that is valid UTF-8 with consistent line endings (what an export almost always is) is copied as it is,
 * after `isUtf8` and a search for its newlines; only a block with something to clean goes through the byte loop.
 */
export class Utf8Clean implements LineCleaner, LongLines {
  readonly invalidLines: number[] = []
  /** Invalid byte sequences. */
  invalid = 0
  blanked = 0
  tail = false
  line = 1
  skipping = false
  private state: LineState = {style: 0, bad: false, start: true}

  constructor(private readonly maxPositions = 5) {}

  /** Starts at the beginning of a line inside a file whose line ending is known (a part of it, see parts.ts). */
  resumeLines(style: 1 | 2): void {
    this.state.style = style
  }

  badLine(): void {
    this.state.bad = true
    if (this.invalidLines.length < this.maxPositions && this.invalidLines.at(-1) !== this.line)
      this.invalidLines.push(this.line)
  }

  /** As Cp932ToUtf8.decodeInto: `out` must hold `input.length * 3 + 4` bytes; returns the bytes written. */
  decodeInto(input: Buffer, out: Buffer, end: boolean): number {
    return decodeCleaned(this, this.state, input, out, end, (i, o, e) => this.decodeLines(i, o, e))
  }

  private decodeLines(input: Buffer, out: Buffer, end: boolean): number {
    const lines = this.state.style === 0 ? -1 : this.plainLines(input)
    if (lines >= 0 && this.state.start && (input.length === 0 || input.at(-1) === 0x0a)) {
      input.copy(out, 0)
      this.line += lines
      return input.length
    }

    return this.loop(input, out, end)
  }

  /**
   * The newlines in `input` when it needs no cleaning (valid UTF-8, every line ending the file's), else -1. One
   * `indexOf` per line: a tenth of the byte loop's time.
   */
  private plainLines(input: Buffer): number {
    if (!isUtf8(input)) return -1
    let lines = 0
    // The end of the line before (a line longer than MAX_LINE is emptied: the byte loop does it).
    let prev = -1
    if (this.state.style === 1) {
      if (input.includes(0x0d)) return -1
      for (let at = input.indexOf(0x0a); at !== -1; at = input.indexOf(0x0a, at + 1)) {
        if (at - prev - 1 > MAX_LINE) return -1
        prev = at
        lines++
      }

      return lines
    }

    // CRLF: every CR is followed by a LF and every LF follows a CR.
    let cr = input.indexOf(0x0d)
    for (let at = input.indexOf(0x0a); at !== -1; at = input.indexOf(0x0a, at + 1)) {
      if (cr !== at - 1 || at - prev - 2 > MAX_LINE) return -1
      prev = at
      lines++
      cr = input.indexOf(0x0d, at + 1)
    }

    return cr === -1 ? lines : -1
  }

  private loop(input: Buffer, out: Buffer, end: boolean): number {
    const n = input.length
    let o = 0
    let i = 0
    let lineStart = this.state.start ? 0 : -1
    while (i < n) {
      const b = input[i]
      if (b < 0x80) {
        if (b === 0x0a || b === 0x0d) {
          const next = newline(this, this.state, input, i, out, o, lineStart, true)
          if (next.o < 0) {
            out[o++] = 0x20
            i++
            continue
          }

          o = next.o
          i = next.i
          lineStart = o
          continue
        }

        out[o++] = b
        i++
        continue
      }

      // The WHATWG UTF-8 decoder's bounds: the second byte's range depends on the first.
      let need = 0
      let lo = 0x80
      let hi = 0xbf
      if (b >= 0xc2 && b <= 0xdf) need = 1
      else if (b >= 0xe0 && b <= 0xef) {
        need = 2
        if (b === 0xe0) lo = 0xa0
        else if (b === 0xed) hi = 0x9f
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3
        if (b === 0xf0) lo = 0x90
        else if (b === 0xf4) hi = 0x8f
      }

      let k = 1
      if (need > 0) {
        while (k <= need && i + k < n) {
          const c = input[i + k]
          if (c < lo || c > hi) break
          lo = 0x80
          hi = 0xbf
          k++
        }
      }

      if (need > 0 && k === need + 1) {
        for (let j = 0; j < k; j++) out[o++] = input[i + j]
        i += k
        continue
      }

      // Invalid: the lead and the continuation bytes that fitted are one U+FFFD (the maximal subpart).
      this.invalid++
      this.badLine()
      o = fffd(out, o)
      i += need > 0 ? k : 1
    }

    return endBlock(this, this.state, o, lineStart, end, true)
  }
}
