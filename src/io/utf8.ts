import {isUtf8} from 'node:buffer'

/** True when the bytes are valid UTF-8 (Node's own validator). */
export {isUtf8}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one. */
export function utf8SequenceLength(buf: Uint8Array, i: number): number {
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

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1 when all of them do. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0
  while (i < buf.length) {
    const len = utf8SequenceLength(buf, i)
    if (len === 0) return i
    i += len
  }

  return -1
}
