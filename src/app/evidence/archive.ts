import {createReadStream} from 'node:fs'
import {open} from 'node:fs/promises'
import {posix} from 'node:path'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'

import * as tar from 'tar'

import {InputError} from '../../model/errors.js'

/** Bounds on what an archive may unpack to: a bundle is inputs and reports of one run, never a bomb. */
export interface ArchiveLimits {
  /** Most entries (files and folders). */
  entries: number
  /** Most bytes of one file. */
  fileBytes: number
  /** Most bytes of all files together (also bounds the decompressed stream). */
  totalBytes: number
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  entries: 200_000,
  fileBytes: 256 * 1024 * 1024,
  totalBytes: 2 * 1024 * 1024 * 1024,
}

/** Writes `files` (bundle-relative paths under `root`) into a gzipped tar, deterministic: sorted, fixed time, no owners. */
export async function packArchive(root: string, files: readonly string[], out: string, mtime: Date): Promise<void> {
  await tar.c({gzip: true, cwd: root, file: out, portable: true, mtime, strict: true}, [...files].sort())
}

/**
 * Unpacks a bundle archive into an empty folder, after a first pass that reads every header and refuses, before
 * anything is written: entries that are not plain files or folders (symlinks, hard links, devices), paths that
 * are absolute, climb out (`..`), or are not in normal form, repeated paths, and more entries or bytes than the
 * limits, counting the decompressed stream itself so a gzip bomb stops early. A damaged archive is exit 2.
 */
export async function extractArchive(
  file: string,
  dest: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<void> {
  const fail = (message: string): never => {
    throw new InputError([{code: 'E_ARCHIVE', message, file}])
  }

  const seen = new Set<string>()
  let total = 0
  let problem: string | undefined
  const parser = new tar.Parser({
    strict: true,
    onReadEntry(entry) {
      if (!problem) problem = checkEntry(entry, seen, limits, (total += entry.size ?? 0))
      entry.resume()
    },
  })
  let streamed = 0
  const budget = limits.totalBytes + limits.entries * 1024 + 1024 * 1024
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      streamed += chunk.length
      if (streamed > budget) done(new Error(`unpacks to more than ${budget} bytes`))
      else if (problem) done(new Error(problem))
      else done(null, chunk)
    },
  })
  const gzipped = await isGzip(file)
  try {
    if (gzipped) await pipeline(createReadStream(file), createGunzip(), counter, parser)
    else await pipeline(createReadStream(file), counter, parser)
  } catch (error) {
    fail(`not a readable bundle archive: ${problem ?? (error as Error).message}`)
  }

  if (problem) fail(problem)
  if (seen.size === 0) fail('empty archive')
  try {
    await tar.x({
      file,
      cwd: dest,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      noChmod: true,
      filter: (_p, entry) => isPlain((entry as tar.ReadEntry).type),
    })
  } catch (error) {
    fail(`cannot unpack: ${(error as Error).message}`)
  }
}

async function isGzip(file: string): Promise<boolean> {
  const fd = await open(file, 'r')
  try {
    const head = Buffer.alloc(2)
    const {bytesRead} = await fd.read(head, 0, 2, 0)
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    await fd.close()
  }
}

function isPlain(type: string): boolean {
  return type === 'File' || type === 'OldFile' || type === 'Directory'
}

/** Why an entry may not be unpacked, or undefined. */
function checkEntry(entry: tar.ReadEntry, seen: Set<string>, limits: ArchiveLimits, total: number): string | undefined {
  const path = entry.path
  const name = JSON.stringify(path)
  if (!isPlain(entry.type)) return `entry ${name} is a ${entry.type}, not a plain file or folder`
  const bare = path.replace(/\/$/, '')
  if (bare === '' || path.length > 1024 || /[\0\\]/.test(path)) return `entry ${name}: not an acceptable path`
  if (
    posix.isAbsolute(bare) ||
    posix.normalize(bare) !== bare ||
    bare.split('/').some((s) => s === '..' || s === '.' || s === '')
  )
    return `entry ${name}: path is absolute or leaves the bundle`
  if (seen.has(bare)) return `entry ${name} appears twice`
  seen.add(bare)
  if (seen.size > limits.entries) return `more than ${limits.entries} entries`
  if ((entry.size ?? 0) > limits.fileBytes)
    return `entry ${name} is ${entry.size} bytes, over the limit of ${limits.fileBytes}`
  if (total > limits.totalBytes) return `more than ${limits.totalBytes} bytes in all`
  return undefined
}
