/**
 * 1900-01-01 00:00:00 written without an offset is the placeholder for no time (see PLACEHOLDER in load.ts): it is the
 * written time that is checked, in the mapping's zone, not the local time of the policy's zone it becomes; the next
 * second is a time. Checked where the mapping's zone is not the policy's, on a TSV export in Shift_JIS, gzipped, that
 * the reader types, and on a CSV export read as ISO 8601.
 */
import {readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'

import {encodeCp932} from '../../../../src/facts/logs/sjis.js'
import {baseLogInventory, cleanup, mapping, review, writeScenario} from './scenario.js'

afterAll(cleanup)

const HEADER = ['日時', '端末ID', '端末設定', '利用者ID', '操作', '供給地点特定番号', '表示項目', '件数']

/** Unparseable rows and rows in the period of a file of the given times, under a mapping in UTC (policy: Asia/Tokyo). */
async function counts(times: string[], as: 'tsv-sjis-gz' | 'csv-iso'): Promise<[number, number]> {
  const tsv = as === 'tsv-sjis-gz'
  const name = tsv ? 'access.tsv.gz' : 'access.csv'
  const m = mapping({
    timestamp: {format: tsv ? '%Y/%m/%d %H:%M:%S' : 'iso8601', zone: 'UTC'},
    files: [`logs/${name}`],
    ...(tsv ? {format: 'tsv', encoding: 'shift_jis'} : {}),
  })
  const s = await writeScenario(baseLogInventory(), {mapping: m})
  for (const f of readdirSync(s.logs)) rmSync(join(s.logs, f))
  const d = tsv ? '\t' : ','
  const text = [HEADER, ...times.map((t) => [t, 'T-NW', 'NW', 'N1', '照会', '', '', '1'])]
    .map((r) => r.join(d))
    .join('\n')
  writeFileSync(join(s.logs, name), tsv ? gzipSync(encodeCp932(`${text}\n`)) : `${text}\n`)
  const {logs} = await review(s)
  return [logs!.unparseable, logs!.in_period]
}

describe('1900-01-01 00:00:00 in a mapping zone other than the policy zone', () => {
  it('is unparseable when the reader types it (TSV, Shift_JIS, gzip); a second later is a time', async () => {
    const times = ['2026/03/26 10:00:00', '1900/01/01 00:00:00', '1900/01/01 00:00:01', '2026/03/27 00:00:00']
    expect(await counts(times, 'tsv-sjis-gz')).toEqual([1, 2])
  })

  it('is unparseable when cast as ISO 8601', async () => {
    const times = ['2026-03-26T10:00:00', '1900-01-01T00:00:00', '1900-01-01T00:00:01', '2026-03-27T00:00:00']
    expect(await counts(times, 'csv-iso')).toEqual([1, 2])
  })
})
