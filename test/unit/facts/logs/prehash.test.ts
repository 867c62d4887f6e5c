/**
 * The first read of a large log file on a thread of its own (prehash.ts): the hash and the "engine can read it as it
 * is" verdict must be exactly what the review's own reads give, and a file whose size is not the planned one gets
 * nothing (the review then reads it itself). Real files, the compiled worker from dist/.
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {type FilePlan, readableUtf8} from '../../../../src/facts/logs/files.js'
import {
  checkUtf8,
  FIRST_READ_MIN_BYTES,
  FirstReads,
  firstReadWorker,
  hashBytes,
} from '../../../../src/facts/logs/prehash.js'
import {ROOT} from '../../../support/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-prehash-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))
const worker = join(ROOT, 'dist/src/facts/logs/prehash-worker.js')
if (!existsSync(worker)) throw new Error('dist/ is missing: run `npm run build` before these tests')
firstReadWorker.path = worker

/** A CSV of about `bytes` bytes with `eol` line endings, and `tail` appended at the end. */
function csv(name: string, bytes: number, eol: string, tail: Uint8Array = Buffer.alloc(0)): string {
  const line = Buffer.from(`2026/10/15 08:30:23,T-1,NW,NW-H001,照会,0322,x,y,名義,1${eol}`)
  const n = Math.ceil(bytes / line.length)
  const file = join(tmp, name)
  writeFileSync(file, Buffer.concat([Buffer.from(`時刻,端末${eol}`), ...Array.from({length: n}, () => line), tail]))
  return file
}

const plan = (file: string, bytes: number): FilePlan => ({
  file,
  path: file,
  gzip: false,
  bytes,
  invalidLines: [],
  invalid: 0,
})
const sha = (buf: Uint8Array) => createHash('sha256').update(buf).digest('hex')

describe('first reads', () => {
  const big = FIRST_READ_MIN_BYTES + 1000
  const cases: [string, string, Uint8Array][] = [
    ['crlf.csv', '\r\n', Buffer.alloc(0)],
    ['lf.csv', '\n', Buffer.alloc(0)],
    ['lf-stray-cr.csv', '\n', Buffer.from('a\rb\n')],
    ['invalid.csv', '\r\n', Buffer.from([0x61, 0xff, 0x0d, 0x0a])],
    ['cut-char.csv', '\n', Buffer.from([0xe3, 0x81])],
  ]

  it('give the hash and verdict of the review own reads, on a thread, for files over the threshold only', async () => {
    const files = cases.map(([name, eol, tail]) => csv(name, big, eol, tail))
    const small = csv('small.csv', 1000, '\n')
    const reads = new FirstReads()
    reads.start([...files, small, join(tmp, 'missing.csv')].map((file) => ({file, utf8: true})))
    try {
      const verdicts = []
      for (const file of files) {
        const bytes = statSync(file).size
        const readable = await reads.readable(file, bytes)
        verdicts.push(readable)
        expect(readable).toBe(await readableUtf8(plan(file, bytes)))
        expect(await reads.sha256(file, bytes)).toBe(sha(readFileSync(file)))
        // The same, in this thread.
        expect((await hashBytes(file)).sha256).toBe(sha(readFileSync(file)))
        expect((await checkUtf8(file)).readable).toBe(readable)
      }

      expect(verdicts).toEqual([true, true, false, false, false])
      // Another size than planned: nothing (the review reads the file itself).
      expect(await reads.readable(files[0], 1)).toBeUndefined()
      expect(await reads.sha256(files[0], 1)).toBeUndefined()
      // Small or missing files are not read ahead.
      expect(await reads.sha256(small, statSync(small).size)).toBeUndefined()
      expect(await reads.sha256(join(tmp, 'missing.csv'), 0)).toBeUndefined()
    } finally {
      await reads.close()
    }
  })

  it('without a compiled worker, nothing is read ahead', async () => {
    const file = csv('nowork.csv', big, '\n')
    firstReadWorker.path = join(tmp, 'no-such-worker.js')
    const reads = new FirstReads()
    try {
      reads.start([{file, utf8: true}])
      expect(await reads.readable(file, statSync(file).size)).toBeUndefined()
      expect(await reads.sha256(file, statSync(file).size)).toBeUndefined()
    } finally {
      firstReadWorker.path = worker
      await reads.close()
    }
  })
})
