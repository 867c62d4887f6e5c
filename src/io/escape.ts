/**
 * Escaping of raw remote bytes, so that a hostile terminal can neither pass as clean nor break a table or JSON.
 * The escaped form is what facts keep in `error.raw`; renderers show it as is.
 */

/** Characters that must never reach a terminal or a report unescaped: C0, DEL, C1, line/paragraph separators, bidi controls. */
// eslint-disable-next-line no-control-regex
export const UNSAFE_CHAR = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u

/** Unpaired surrogates and U+FFFD (what a decoder put in place of bytes it could not read) are shown as escapes too. */
const NOT_TEXT = /[\ud800-\udfff\ufffd]/u

const MAX_RAW = 4096

/**
 * Escapes bytes as JSON-style text: `\\`, `\"`, `\n`, `\t`, other unsafe characters as `\uXXXX`, and bytes that are not
 * valid UTF-8 as `\xNN`. The result is plain printable text, truncated after `max` characters with a `…[+N bytes]` note.
 */
export function escapeRaw(input: Buffer | string, max = MAX_RAW): string {
  const text = typeof input === 'string' ? escapeString(input) : escapeBytes(input)
  if (text.length <= max) return text
  const rest = typeof input === 'string' ? input.length : input.length
  return `${text.slice(0, max)}…[truncated, ${rest} ${typeof input === 'string' ? 'chars' : 'bytes'} in all]`
}

function escapeString(s: string): string {
  let out = ''
  for (const ch of s) out += escapeChar(ch)
  return out
}

function escapeChar(ch: string): string {
  switch (ch) {
    case '\\':
      return '\\\\'
    case '"':
      return '\\"'
    case '\n':
      return '\\n'
    case '\r':
      return '\\r'
    case '\t':
      return '\\t'
    default:
      if (UNSAFE_CHAR.test(ch) || NOT_TEXT.test(ch)) return `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`
      return ch
  }
}

const decoder = new TextDecoder('utf-8', {fatal: true})

/** Decodes valid UTF-8 runs and escapes invalid bytes one by one. */
function escapeBytes(buf: Buffer): string {
  let out = ''
  let i = 0
  while (i < buf.length) {
    const len = utf8SequenceLength(buf, i)
    if (len === 0) {
      out += `\\x${buf[i].toString(16).padStart(2, '0')}`
      i += 1
      continue
    }
    out += escapeChar(decoder.decode(buf.subarray(i, i + len)))
    i += len
  }
  return out
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one. */
export function utf8SequenceLength(buf: Buffer, i: number): number {
  const b = buf[i]
  if (b < 0x80) return 1
  let len: number
  let min: number
  if (b >= 0xc2 && b <= 0xdf) [len, min] = [2, 0x80]
  else if (b >= 0xe0 && b <= 0xef) [len, min] = [3, 0x800]
  else if (b >= 0xf0 && b <= 0xf4) [len, min] = [4, 0x10000]
  else return 0
  if (i + len > buf.length) return 0
  let cp = b & (0xff >> (len + 1))
  for (let k = 1; k < len; k++) {
    const c = buf[i + k]
    if ((c & 0xc0) !== 0x80) return 0
    cp = (cp << 6) | (c & 0x3f)
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0
  return len
}

/** True when the bytes are valid UTF-8. */
export function isValidUtf8(buf: Buffer): boolean {
  try {
    decoder.decode(buf)
    return true
  } catch {
    return false
  }
}
