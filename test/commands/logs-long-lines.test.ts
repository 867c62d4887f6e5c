/**
 * A line far longer than any log line (over 1 MiB) is unparseable, counted and located, never lost. The engine
 * rejects a line over its longest as over-long, but DuckDB 1.5 drops some of them without a reject (with lines of 16
 * and 33 MB in a large file the review used to say nothing about those two lines; with small read buffers, lines of
 * 1 to 2 MB too). Such a line is now emptied in the cleaned copy the engine reads, and a plain UTF-8 file with one
 * is read through that copy.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'

import {EXAMPLE, analyzeLogs, exampleLogMapping} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-logs-long-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** The example's 2026-10-15 as Shift_JIS bytes, split into lines (without their CRLF). */
function dayLines(): Buffer[] {
  const raw = gunzipSync(readFileSync(join(EXAMPLE, 'logs/2026-10/access-20261015.csv.gz')))
  const out: Buffer[] = []
  for (let at = 0; at < raw.length;) {
    const lf = raw.indexOf(0x0a, at)
    const end = lf === -1 ? raw.length : lf + 1
    const line = raw.subarray(at, end)
    out.push(line.subarray(0, line.length - (line.at(-2) === 0x0d ? 2 : line.at(-1) === 0x0a ? 1 : 0)))
    at = end
  }

  return out.filter((l) => l.length > 0)
}

/**
 * The day's rows 600 times (about 210,000 lines), with a row made 1.5, 3, 17 and 34 MB long at known lines. Returns
 * the file's lines in the given encoding and the long lines' numbers.
 */
function file(encoding: 'utf-8' | 'shift_jis'): {lines: Buffer[]; long: number[]} {
  const [header, ...rows] = dayLines()
  const decode = (b: Buffer) => (encoding === 'utf-8' ? Buffer.from(new TextDecoder('shift_jis').decode(b)) : b)
  const lines = [decode(header)]
  const body = rows.map(decode)
  for (let k = 0; k < 600; k++) lines.push(...body)
  const long: number[] = []
  for (const [k, mb] of [1.5, 3, 17, 34].entries()) {
    const at = 40_000 * (k + 1) + k
    lines[at] = Buffer.concat([lines[at], Buffer.alloc(Math.round(mb * 2 ** 20), 0x61)])
    long.push(at + 1)
  }

  return {lines, long}
}

async function review(path: string, name: string, encoding: string) {
  const mapping = exampleLogMapping(join(tmp, `${name}.yaml`), path, encoding)
  const r = await analyzeLogs(mapping, '2026-10-15', '2026-10-15', {timeout: 180_000})
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout).logs.files[0] as {rows: number; unparseable: number; first_unparseable: string[]}
}

describe('lines longer than a whole read block', () => {
  for (const [name, encoding, gzip] of [
    ['plain', 'utf-8', false],
    ['gzip', 'utf-8', true],
    ['sjis', 'shift_jis', false],
  ] as const)
    it(`are each one unparseable line at their own line number (${name})`, async () => {
      const {lines, long} = file(encoding)
      const text = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\r\n')]))
      const path = join(tmp, `${name}.csv${gzip ? '.gz' : ''}`)
      writeFileSync(path, gzip ? gzipSync(text, {level: 1}) : text)
      const logs = await review(path, name, encoding)
      expect(logs.unparseable).toBe(4)
      expect(logs.first_unparseable).toEqual(long.map((l) => `${path}:${l}`))
      expect(logs.rows).toBe(lines.length - 1)
    }, 200_000)
})
