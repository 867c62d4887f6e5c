import {utf8SequenceLength} from './utf8.js'

/**
 * Text safety, one character set for everything fleet-audit shows or keeps: facts from terminals (`escapeRaw`),
 * reports (`sanitize`, `sanitizeLine`) and the ledger's free text (`isSafeText`).
 *
 * Unsafe: C0 controls, DEL, C1 controls, LRM/RLM, line/paragraph separators and bidi embeddings/overrides/isolates —
 * what could move a cursor, recolour a terminal, or reorder what an auditor reads. Tab and newline are layout in
 * multi-line text and unsafe in one-line values.
 */
const RANGES = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069'

/** An unsafe character in multi-line text (tab and newline allowed). */
const UNSAFE_IN_TEXT = new RegExp(`[${RANGES}]`, 'u')
const UNSAFE_IN_TEXT_ALL = new RegExp(`[${RANGES}]`, 'gu')

/** An unsafe character in a one-line value (tab and newline too). */
export const UNSAFE_CHAR = new RegExp(`[\\t\\n${RANGES}]`, 'u')

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Makes text from terminals and files safe to show: unsafe characters become visible `\uXXXX` escapes. Applied
 * when rendering, never to stored facts.
 */
export function sanitize(text: string): string {
  return text.replaceAll(UNSAFE_IN_TEXT_ALL, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)
}

/** For one-line cells: newlines and tabs are escaped too. */
export function sanitizeLine(text: string): string {
  return sanitize(text).replaceAll('\n', '\\n').replaceAll('\t', '\\t')
}

/**
 * Free text a ledger record may carry (notes, delegations, serials): no unsafe character, which would reach the
 * other company's terminal, and no lone surrogates, which SQLite silently replaces with U+FFFD so that the stored
 * record no longer matches its hash.
 */
export function isSafeText(v: unknown, max = 4096): v is string {
  return typeof v === 'string' && v.length <= max && !UNSAFE_IN_TEXT.test(v) && !LONE_SURROGATE.test(v)
}

/*
 * Escaping of raw remote bytes, so that a hostile terminal can neither pass as clean nor break a table or JSON.
 * The escaped form is what facts keep in `error.raw`; renderers show it as is.
 */

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
