import {readFile, stat} from 'node:fs/promises'

import type {Problem} from '../errors.js'

/** Default for `--max-file-size`: large enough for a 10,000-terminal site file, small enough to refuse a bomb. */
export const DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024

/** The text of a file, or the one problem that makes it unusable. */
export type TextResult = {ok: true; text: string} | {ok: false; problem: Problem}

/**
 * Reads a file as strict UTF-8 text, refusing it before parsing when it is too large, binary or mis-encoded.
 * Hostile files must cost at most one stat and one bounded read.
 */
export async function readTextFile(file: string, maxBytes = DEFAULT_MAX_FILE_SIZE): Promise<TextResult> {
  let size: number
  try {
    const st = await stat(file)
    if (!st.isFile()) return fail(file, 'E_NOT_FILE', 'not a regular file')
    size = st.size
  } catch (error) {
    return fail(file, 'E_READ', `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }

  if (size > maxBytes) {
    return fail(file, 'E_TOO_LARGE', `file is ${size} bytes, over the limit of ${maxBytes} (--max-file-size)`)
  }

  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (error) {
    return fail(file, 'E_READ', `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }

  return decodeStrict(file, bytes)
}

/** Decodes bytes as strict UTF-8 (BOM allowed), pointing at the first NUL or invalid byte. */
export function decodeStrict(file: string, bytes: Buffer): TextResult {
  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    const {line, column} = lineColumnOfByte(bytes, nul)
    return {ok: false, problem: {code: 'E_BINARY', message: 'binary content (NUL byte), not a text file', file, line, column}}
  }

  try {
    const text = new TextDecoder('utf-8', {fatal: true, ignoreBOM: false}).decode(bytes)
    return {ok: true, text}
  } catch {
    const bad = firstInvalidUtf8(bytes)
    const {line, column} = lineColumnOfByte(bytes, bad)
    return {ok: false, problem: {code: 'E_ENCODING', message: 'not valid UTF-8', file, line, column}}
  }
}

function fail(file: string, code: string, message: string): TextResult {
  return {ok: false, problem: {code, message, file}}
}

/** Binary search for the shortest prefix a streaming strict decoder rejects. */
function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0
  let hi = bytes.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    let ok = true
    try {
      new TextDecoder('utf-8', {fatal: true}).decode(bytes.subarray(0, mid + 1), {stream: true})
    } catch {
      ok = false
    }

    if (ok) lo = mid + 1
    else hi = mid
  }

  // A lead byte is accepted as the start of a pending sequence; the error is that sequence, not the byte that broke it.
  for (let k = 1; k <= 3 && lo - k >= 0; k++) {
    const b = bytes[lo - k]
    if ((b & 0xc0) === 0x80) continue
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
    return need > k ? lo - k : lo
  }

  return lo
}

function lineColumnOfByte(bytes: Buffer, offset: number): {line: number; column: number} {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++
      lineStart = i + 1
    }
  }

  return {line, column: offset - lineStart + 1}
}
