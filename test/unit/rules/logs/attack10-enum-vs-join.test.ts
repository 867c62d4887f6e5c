/**
 * The supply-point ENUM lookup (see classifySupplyPoints) against the row-by-row join it replaced up to
 * SUPPLY_POINT_ENUM_MAX supply points: random logs over supply points of every class (competitor's, own on every day,
 * own for some days, switches either way, periods touching the first and last day), with ids that are declared,
 * undeclared, of another case, padded with spaces, over-long, quoted or of other scripts, reviewed both ways. Every
 * finding (rule, terminal, message, counts, example) must be the same.
 */
import {readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {
  baseLogInventory,
  cleanup,
  COMPETITOR,
  type Json,
  mapping,
  OWN,
  review,
  rng,
  runEngine,
  writeScenario,
} from '../../facts/logs/scenario.js'

afterAll(cleanup)

const csvField = (v: string) => (/[",\n\r]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v)

/** How the logs are written: CSV in Tokyo time, in UTC, with a logged retailer, as JSON Lines or Parquet, in two files. */
type Variant = 'csv' | 'utc' | 'retailer' | 'jsonl' | 'two-files' | 'no-retailers' | 'parquet'

function scenario(seed: number, variant: Variant): {inv: Json; files: Record<string, string>; mapping: Json} {
  const r = rng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
  const inv = baseLogInventory()
  inv.supply_points.push(
    {id: 'SW-IN', retailer: 'r-comp', to: '2026-03-31'},
    {id: 'SW-IN', retailer: 'r-own', from: '2026-04-01'},
    {id: 'SW-OUT', retailer: 'r-own', to: '2026-03-29'},
    {id: 'SW-OUT', retailer: 'r-comp', from: '2026-03-30', to: '2026-04-02'},
    {id: 'SW-OUT', retailer: 'r-own', from: '2026-04-03'},
    {id: 'OWN-SOME', retailer: 'r-own', from: '2026-03-28', to: '2026-04-03'},
    {id: 'OWN-EDGE', retailer: 'r-own', from: '0001-01-01', to: '9999-12-31'},
    {id: 'OWN-SPLIT', retailer: 'r-own', to: '2026-03-31'},
    {id: 'OWN-SPLIT', retailer: 'r-own', from: '2026-04-01'},
    {id: 'COMP-GAP', retailer: 'r-comp', to: '2026-03-27'},
    {id: 'COMP-GAP', retailer: 'r-comp', from: '2026-04-01'},
    {id: 'r-own', retailer: 'r-comp'},
    {id: 'zz', retailer: 'r-own'},
    {id: 'ZZ', retailer: 'r-comp'},
  )
  const ids = [
    ...OWN.slice(0, 3),
    ...COMPETITOR.slice(0, 3),
    'SW-IN',
    'SW-OUT',
    'OWN-SOME',
    'OWN-EDGE',
    'OWN-SPLIT',
    'COMP-GAP',
    'r-own',
    'zz',
    'ZZ',
    'Zz',
    'sw-in',
    'SW-IN ',
    ' SW-OUT',
    'UNKNOWN-1',
    '0',
    '00',
    '供給地点',
    'ＳＷ－ＩＮ',
    'q"uote',
    `${OWN[0]}\t`,
    'x'.repeat(250),
    `${'OWN-SOME'.repeat(30)}`,
    '',
  ]
  const days = [
    '2026-03-24',
    '2026-03-25',
    '2026-03-29',
    '2026-03-30',
    '2026-03-31',
    '2026-04-01',
    '2026-04-03',
    '2026-04-07',
    '2026-04-08',
  ]
  const rows: string[][] = []
  for (let i = 0; i < 400; i++) {
    const day = pick(days)
    // Many rows share a second, on several terminals: a rule that picks one of them must not depend on the plan.
    const hour = `${pick(['00', '08', '09', '15', '23'])}:${pick(['00', '30', '59'])}:00`
    const time = r() < 0.03 ? 'not a time' : `${day.replaceAll('-', '/')} ${hour}`
    const terminal = r() < 0.03 ? '' : pick(['T-NW', 'T-NW', 'T-RT', 'T-NW2'])
    const user = r() < 0.03 ? '' : pick(['R1', 'R1', 'N1', 'N2', 'X9'])
    const setting = pick(['NW', '小売', '', 'other'])
    const action = r() < 0.03 ? '' : pick(['照会', '出力', '出力', '検索', 'ログイン', '印刷'])
    const sp = pick(ids)
    const shown = pick(['', '氏名|住所', '電話番号', 'a|b'])
    const records = r() < 0.03 ? '-1' : String(1 + Math.floor(r() * 9))
    const retailer = pick(['r-own', 'r-comp', '', 'r-other', 'R-OWN', 'SW-IN', 'r-own '])
    rows.push([time, terminal, setting, user, action, sp, shown, records, retailer])
  }

  const header = [
    '日時',
    '端末ID',
    '端末設定',
    '利用者ID',
    '操作',
    '供給地点特定番号',
    '表示項目',
    '件数',
    '小売事業者',
  ]
  const csv = (part: string[][]) => `${[header, ...part].map((l) => l.map(csvField).join(',')).join('\n')}\n`
  const fields = mapping().fields as Json
  if (variant === 'retailer' || variant === 'no-retailers') fields.retailer = '小売事業者'
  if (variant === 'no-retailers') {
    inv.retailers = []
    inv.supply_points = []
  }
  const m = mapping({fields})
  if (variant === 'utc') m.timestamp = {format: '%Y/%m/%d %H:%M:%S', zone: 'UTC'}
  if (variant === 'jsonl') {
    m.format = 'jsonl'
    m.files = ['logs/*.jsonl']
    const lines = rows.map((l) => JSON.stringify(Object.fromEntries(header.map((h, i) => [h, l[i]]))))
    return {inv, mapping: m, files: {'access.jsonl': `${lines.join('\n')}\n`}}
  }
  if (variant === 'parquet') {
    m.format = 'parquet'
    m.files = ['logs/*.parquet']
    delete m.encoding
  }
  if (variant === 'two-files')
    return {inv, mapping: m, files: {'a.csv': csv(rows.slice(0, 200)), 'b.csv': csv(rows.slice(200))}}
  return {inv, mapping: m, files: {'access.csv': csv(rows)}}
}

describe('the ENUM lookup and the join give the same findings', () => {
  const cases: [Variant, number][] = [
    ['csv', 1],
    ['csv', 2],
    ['utc', 3],
    ['retailer', 4],
    ['jsonl', 5],
    ['two-files', 6],
    ['no-retailers', 7],
    ['parquet', 8],
  ]
  for (const [variant, seed] of cases) {
    it(`random logs (${variant}, seed ${seed})`, async () => {
      const {inv, files, mapping: m} = scenario(seed, variant)
      const s = await writeScenario(inv, {mapping: m})
      for (const f of readdirSync(s.logs)) rmSync(join(s.logs, f))
      for (const [name, text] of Object.entries(files)) writeFileSync(join(s.logs, name), text)
      if (variant === 'parquet') {
        // The time typed by the writer (a local time), every other column text.
        await runEngine(
          `COPY (SELECT * REPLACE (try_strptime(日時, '%Y/%m/%d %H:%M:%S') AS 日時)
             FROM read_csv('${s.logs}/access.csv', header = true, all_varchar = true))
           TO '${s.logs}/all.parquet' (FORMAT parquet)`,
        )
        rmSync(join(s.logs, 'access.csv'))
      }
      const byEnum = await review(s, {show: true})
      const byJoin = await review(s, {show: true, supplyPointEnumMax: 0})
      const shown = (x: typeof byEnum) => x.findings.map((f) => JSON.stringify(f))
      expect(byEnum.findings.filter((f) => f.rule.includes('competitor')).length).toBeGreaterThan(0)
      expect(shown(byEnum)).toEqual(shown(byJoin))
    })
  }
})
