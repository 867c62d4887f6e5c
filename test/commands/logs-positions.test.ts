/**
 * The positions shown for unparseable lines are the lines' own numbers in a large file. The engine's line numbers
 * for the lines it rejects drift by one or more after some of its read buffers (DuckDB 1.5, from about the first
 * 32 MiB on); the review used to show them as they were, so `file:line` pointed at a good neighbour of the bad line.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'

import {analyzeLogs, exampleDayLines, exampleLogMapping} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-logs-positions-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/**
 * A file of about 45 MB: the day's rows over and over, with a line the engine rejects (too few columns, or a time
 * that is no time) at six known lines, all past the first 36 MB. Returns the file's text and those line numbers.
 */
function bigFile(): {text: string; bad: number[]} {
  const [header, ...rows] = exampleDayLines()
  const lines = [header]
  const perDay = Buffer.byteLength(rows.join('\r\n'))
  for (let bytes = 0; bytes < 45e6; bytes += perDay) lines.push(...rows)
  const bad: number[] = []
  for (let k = 0; k < 6; k++) {
    const at = Math.floor(lines.length * (0.8 + k * 0.03)) + k * 7
    lines[at] = k % 2 === 0 ? 'too,few' : `2026/13/45 99:99:99${lines[at].slice(19)}`
    bad.push(at + 1)
  }

  return {text: lines.join('\r\n') + '\r\n', bad}
}

async function review(file: string, name: string): Promise<{unparseable: number; first_unparseable: string[]}> {
  const r = await analyzeLogs(exampleLogMapping(join(tmp, `${name}.yaml`), file), '2026-10-15', '2026-10-15', {
    timeout: 180_000,
  })
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout).logs.files[0]
}

describe('unparseable lines deep in a large file', () => {
  const {text, bad} = bigFile()
  const first = (file: string) => bad.slice(0, 5).map((line) => `${file}:${line}`)

  it('are shown at their own line numbers (a file the engine reads itself)', async () => {
    const file = join(tmp, 'big.csv')
    writeFileSync(file, text)
    expect(Buffer.byteLength(text)).toBeGreaterThan(44e6)
    const logs = await review(file, 'big')
    expect(logs.unparseable).toBe(6)
    expect(logs.first_unparseable).toEqual(first(file))
  }, 200_000)

  it('are shown at their own line numbers (gzip, read as a stream)', async () => {
    const file = join(tmp, 'big.csv.gz')
    writeFileSync(file, gzipSync(text, {level: 1}))
    const logs = await review(file, 'big-gz')
    expect(logs.unparseable).toBe(6)
    expect(logs.first_unparseable).toEqual(first(file))
  }, 200_000)
})
