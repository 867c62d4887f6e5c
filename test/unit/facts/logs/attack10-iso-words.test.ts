/**
 * An ISO 8601 time is digits: the engine's cast also takes the words 'infinity', '-infinity' and 'epoch' (a day that
 * is no day of any review, or 1970-01-01), and its strptime takes them whatever the format (as 1900-01-01 00:00:00),
 * so a row with such a time was silently outside the review, neither counted nor unparseable. It is unparseable, like
 * any other time that is not one. A time the CSV reader types itself (a format without an offset) has lost its text:
 * 1900-01-01 00:00:00 itself is unparseable there, and so, for one rule on every path, is that time written without
 * an offset however it is read (the placeholder some systems write for an empty date).
 */
import {readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {baseLogInventory, cleanup, mapping, review, runEngine, writeScenario} from './scenario.js'

afterAll(cleanup)

async function unparseable(format: string, rows: string[], jsonl = false): Promise<string[]> {
  const m = mapping({
    timestamp: {format, zone: 'Asia/Tokyo'},
    ...(jsonl ? {format: 'jsonl', files: ['logs/*.jsonl']} : {}),
  })
  const s = await writeScenario(baseLogInventory(), {mapping: m})
  for (const f of readdirSync(s.logs)) rmSync(join(s.logs, f))
  const row = (t: string) =>
    jsonl
      ? JSON.stringify({
          日時: t,
          端末ID: 'T-NW',
          端末設定: 'NW',
          利用者ID: 'N1',
          操作: '照会',
          供給地点特定番号: '',
          表示項目: '',
          件数: 1,
        })
      : `${t},T-NW,NW,N1,照会,,,1`
  writeFileSync(
    join(s.logs, jsonl ? 'access.jsonl' : 'access.csv'),
    [
      ...(jsonl ? [] : ['日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,表示項目,件数']),
      ...rows.map(row),
      '',
    ].join('\n'),
  )
  const found = (await review(s)).findings.filter((f) => f.rule === 'logs/unparseable-lines')
  return found.map((f) => f.message.en)
}

describe('a time that is a word', () => {
  it("iso8601: 'infinity', '-infinity' and 'epoch' are unparseable times, not days outside the review", async () => {
    const rows = ['2026-03-26T10:00:00+09:00', 'infinity', '-infinity', 'epoch', ' Infinity ', '2026-03-27 10:00:00']
    expect(await unparseable('iso8601', rows)).toEqual([expect.stringMatching(/^4 line\(s\)/)])
  })

  it('a strptime format with an offset: the same words are unparseable', async () => {
    const rows = ['2026/03/26 10:00:00+0900', 'infinity', '-Infinity', 'EPOCH', '2026/03/27 10:00:00+0900']
    expect(await unparseable('%Y/%m/%d %H:%M:%S%z', rows)).toEqual([expect.stringMatching(/^3 line\(s\)/)])
  })

  it('a format the reader types: the words, and the 1900-01-01 00:00:00 they become, are unparseable', async () => {
    const rows = ['2026/03/26 10:00:00', 'infinity', '-Infinity', 'EPOCH', '1900/01/01 00:00:00', '2026/03/27 10:00:00']
    // The lines cannot be found by their text (the reader kept none): the file is shown.
    expect(await unparseable('%Y/%m/%d %H:%M:%S', rows)).toEqual([
      expect.stringMatching(/^4 line\(s\) of .*access\.csv could not be read/),
    ])
  })
})

describe('1900-01-01 00:00:00 written without an offset', () => {
  it('is unparseable when cast as ISO 8601, as when the reader types it; with an offset it is an instant', async () => {
    const rows = ['2026-03-26T10:00:00', '1900-01-01T00:00:00', '1900-01-01 00:00:00', '1900-01-01T00:00:00+09:00']
    expect(await unparseable('iso8601', rows)).toEqual([expect.stringMatching(/^2 line\(s\)/)])
  })

  it("is unparseable when parsed with the mapping's format from text (JSON Lines)", async () => {
    const rows = ['2026/03/26 10:00:00', '1900/01/01 00:00:00', '1900/01/01 00:00:01', 'epoch']
    expect(await unparseable('%Y/%m/%d %H:%M:%S', rows, true)).toEqual([expect.stringMatching(/^2 line\(s\)/)])
  })
})

describe('a Parquet time the writer typed', () => {
  it('that is infinite (or, without a zone, the placeholder) is an unparseable row, not a day outside the review', async () => {
    const s = await writeScenario(baseLogInventory(), {
      mapping: mapping({format: 'parquet', files: ['logs/all.parquet']}),
    })
    await runEngine(
      ...['TIMESTAMP', 'TIMESTAMPTZ'].map(
        (type) =>
          `COPY (SELECT * REPLACE (CAST(日時 AS ${type}) AS 日時) FROM (
           SELECT * FROM read_csv('${s.logs}/*.csv', header = true, all_varchar = true, timestampformat = '%Y/%m/%d %H:%M:%S')
           UNION ALL SELECT 'infinity', 'T-NW', 'NW', 'N1', '照会', '', '', '', '', '1'
           UNION ALL SELECT '-infinity', 'T-NW', 'NW', 'N1', '照会', '', '', '', '', '1'
           UNION ALL SELECT '1900-01-01 00:00:00', 'T-NW', 'NW', 'N1', '照会', '', '', '', '', '1'
         )) TO '${s.logs}/all-${type}.parquet' (FORMAT parquet)`,
      ),
    )
    for (const type of ['TIMESTAMP', 'TIMESTAMPTZ']) {
      const file = join(s.logs, `all-${type}.parquet`)
      writeFileSync(s.mapping, stringify(mapping({format: 'parquet', files: [`logs/all-${type}.parquet`]})))
      const result = await review(s)
      // Without a zone 1900-01-01 00:00:00 is the placeholder; with one (UTC here) it is an instant.
      expect(result.logs!.files.find((f) => f.file === file)?.unparseable, type).toBe(type === 'TIMESTAMP' ? 3 : 2)
    }
  })
})
