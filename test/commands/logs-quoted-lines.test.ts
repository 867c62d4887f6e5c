/**
 * Attack (attack5): a CSV record whose quoted field holds a line break, with an invalid UTF-8 byte on one of its
 * physical lines. The cleaner empties that physical line only, which leaves the quote opened on the line before it
 * unclosed: the engine then reads the rest of the file as one quoted field. The review used to report 2 unparseable
 * lines while all but 3 of the day's 349 rows were gone. Now every line that became no row is counted unparseable
 * (the day's review is incomplete, and says how much of it): the rows are still not reviewed (the cleaner does not
 * know CSV quoting), but none is lost without a word.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'

import {EXAMPLE, analyzeLogs, exampleLogMapping} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-logs-quoted-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** The example's 2026-10-15 as UTF-8 lines (CRLF), header first: 349 rows. */
function dayLines(): Buffer[] {
  const gz = readFileSync(join(EXAMPLE, 'logs/2026-10/access-20261015.csv.gz'))
  return new TextDecoder('shift_jis')
    .decode(gunzipSync(gz))
    .split('\r\n')
    .map((l) => Buffer.from(l))
}

describe('a quoted line break next to an invalid byte', () => {
  for (const eol of ['\r\n', '\n'])
    it(`loses no line without a word (${JSON.stringify(eol)} lines)`, async () => {
      const lines = dayLines()
      const cols = lines[2].toString().split(',')
      // Row 2 (lines 3-4 of the file): 表示項目 is a quoted field with a line break, its second line has 0xFF.
      lines[2] = Buffer.concat([
        Buffer.from(`${cols.slice(0, 8).join(',')},"a${eol}b`),
        Buffer.from([0xff]),
        Buffer.from(`",${cols[9]}`),
      ])
      const r = await analyzeLogs(await prepare(lines, eol, eol === '\n' ? 'lf' : 'crlf'), '2026-10-15', '2026-10-15', {
        timeout: 120_000,
      })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(1)
      const {logs} = JSON.parse(r.stdout)
      // Every one of the day's 349 records (350 lines: one record spans two) is reviewed or counted unparseable.
      expect(logs.files[0].unparseable).toBeGreaterThanOrEqual(2)
      expect(logs.in_period + logs.files[0].unparseable).toBeGreaterThanOrEqual(349)
      expect(logs.files[0].rows).toBeGreaterThanOrEqual(349)
    })
})

async function prepare(lines: Buffer[], eol: string, name: string): Promise<string> {
  const file = join(tmp, `${name}.csv`)
  writeFileSync(file, Buffer.concat(lines.flatMap((l, i) => (i === 0 ? [l] : [Buffer.from(eol), l]))))
  return exampleLogMapping(join(tmp, `${name}.yaml`), file)
}
