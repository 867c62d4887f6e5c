import {closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {firstInvalidUtf8, isUtf8} from './utf8.js'

import type {Problem} from '../model/errors.js'

/** Default for `--max-file-size`: large enough for a 10,000-terminal site file, small enough to refuse a bomb. */
export const DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024

/**
 * Signed hand-off and acks files hold whole chains (100,000 events is about 40 MiB): bounded far above that, and
 * below the longest string Node can hold.
 */
export const MAX_HANDOFF_FILE_SIZE = 256 * 1024 * 1024

/** Keys, known_hosts and similar small settings files. */
export const MAX_SETTINGS_FILE_SIZE = 1024 * 1024

/** The text of a file, or the one problem that makes it unusable. */
export type TextResult = {ok: true; text: string} | {ok: false; problem: Problem}

/** The bytes of a file, or the one problem that makes it unusable. */
export type BytesResult = {ok: true; bytes: Buffer} | {ok: false; problem: Problem}

/** How the size limit is named in the message (`--max-file-size` for inventories, none for fixed limits). */
export interface ReadLimit {
  maxBytes: number
  /** Appended to the "over the limit" message, e.g. ` (--max-file-size)`. */
  limitName?: string
}

/*
 * Every input file fleet-audit reads (inventories, rule packs, waivers, config, facts, hand-off and acks files, keys,
 * known_hosts) goes through the two functions below. The file is opened with O_NONBLOCK, so a FIFO opens at once
 * instead of waiting for a writer forever, and the open descriptor is checked with fstat: anything but a regular
 * file (FIFO, device, socket, folder, or a symbolic link to one, such as /dev/zero) is refused before a byte is read.
 * Symbolic links to regular files are followed. One open, one fstat, one bounded read: no window between a check and
 * the read in which the path could be swapped.
 */

/** Reads a regular file's bytes, refusing anything else and anything over the limit; never blocks on a FIFO. */
export function readRegularFileSync(file: string, limit: ReadLimit | number = DEFAULT_MAX_FILE_SIZE): BytesResult {
  const {maxBytes, limitName} = normalizeLimit(limit)
  let fd: number | undefined
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
    const st = fstatSync(fd)
    const refused = refuse(file, st, maxBytes, limitName)
    if (refused) return refused
    const {size} = st
    const bytes = Buffer.allocUnsafe(size)
    let n = 0
    while (n < size) {
      const got = readSync(fd, bytes, n, size - n, n)
      if (got === 0) break
      n += got
    }

    return {ok: true, bytes: bytes.subarray(0, n)}
  } catch (error) {
    return openFailure(file, error)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** The asynchronous twin of `readRegularFileSync`, with the same checks. */
async function readRegularFile(file: string, limit: ReadLimit | number = DEFAULT_MAX_FILE_SIZE): Promise<BytesResult> {
  const {maxBytes, limitName} = normalizeLimit(limit)
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
    const st = await handle.stat()
    const refused = refuse(file, st, maxBytes, limitName)
    if (refused) return refused
    const bytes = Buffer.allocUnsafe(st.size)
    let n = 0
    while (n < st.size) {
      const {bytesRead} = await handle.read(bytes, n, st.size - n, n)
      if (bytesRead === 0) break
      n += bytesRead
    }

    return {ok: true, bytes: bytes.subarray(0, n)}
  } catch (error) {
    return openFailure(file, error)
  } finally {
    await handle?.close()
  }
}

/**
 * Reads a file as strict UTF-8 text, refusing it before parsing when it is not a regular file, too large, binary or
 * mis-encoded. Hostile files must cost at most one open, one fstat and one bounded read.
 */
export async function readTextFile(
  file: string,
  limit: ReadLimit | number = DEFAULT_MAX_FILE_SIZE,
): Promise<TextResult> {
  const read = await readRegularFile(file, withFlagName(limit))
  return read.ok ? decodeStrict(file, read.bytes) : read
}

/** The synchronous twin of `readTextFile`. */
export function readTextFileSync(file: string, limit: ReadLimit | number = DEFAULT_MAX_FILE_SIZE): TextResult {
  const read = readRegularFileSync(file, withFlagName(limit))
  return read.ok ? decodeStrict(file, read.bytes) : read
}

/** What a non-regular file is, for messages: "a FIFO", "a character device", ... */
export function describeFileType(st: Stats): string {
  if (st.isFile()) return 'a regular file'
  if (st.isDirectory()) return 'a folder'
  if (st.isFIFO()) return 'a FIFO'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isSocket()) return 'a socket'
  if (st.isSymbolicLink()) return 'a symbolic link'
  return 'not a regular file'
}

function normalizeLimit(limit: ReadLimit | number): ReadLimit {
  return typeof limit === 'number' ? {maxBytes: limit} : limit
}

/** Inventory-style readers name the flag that raises the limit; a bare number means `--max-file-size`. */
function withFlagName(limit: ReadLimit | number): ReadLimit {
  return typeof limit === 'number' ? {maxBytes: limit, limitName: ' (--max-file-size)'} : limit
}

function refuse(file: string, st: Stats, maxBytes: number, limitName = ''): BytesResult | undefined {
  if (!st.isFile()) return fail(file, 'E_NOT_FILE', `not a regular file (${describeFileType(st)})`)
  if (st.size > maxBytes)
    return fail(file, 'E_TOO_LARGE', `file is ${st.size} bytes, over the limit of ${maxBytes}${limitName}`)
  return undefined
}

function openFailure(file: string, error: unknown): BytesResult {
  const code = (error as NodeJS.ErrnoException).code
  // open(2) of a Unix socket fails with ENXIO: say what it is rather than an errno.
  if (code === 'ENXIO' || code === 'EISDIR') {
    try {
      return fail(file, 'E_NOT_FILE', `not a regular file (${describeFileType(statSync(file))})`)
    } catch {
      // fall through to the errno
    }
  }

  return fail(file, 'E_READ', `cannot read: ${code ?? String(error)}`)
}

/** Decodes bytes as strict UTF-8 (BOM allowed), pointing at the first NUL or invalid byte. */
export function decodeStrict(file: string, bytes: Buffer): TextResult {
  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    const {line, column} = lineColumnOfByte(bytes, nul)
    return {
      ok: false,
      problem: {code: 'E_BINARY', message: 'binary content (NUL byte), not a text file', file, line, column},
    }
  }

  if (isUtf8(bytes)) return {ok: true, text: new TextDecoder('utf-8', {ignoreBOM: false}).decode(bytes)}
  const {line, column} = lineColumnOfByte(bytes, firstInvalidUtf8(bytes))
  return {ok: false, problem: {code: 'E_ENCODING', message: 'not valid UTF-8', file, line, column}}
}

function fail(file: string, code: string, message: string): {ok: false; problem: Problem} {
  return {ok: false, problem: {code, message, file}}
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
