/**
 * Exactly SUPPLY_POINT_ENUM_MAX supply points are looked up through the ENUM, one more through the join: the same
 * logs must give the same findings either side of the limit (counts, first times, example), including a switching
 * customer's rows after the switch and the last-declared supply point.
 */
import {readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {SUPPLY_POINT_ENUM_MAX} from '../../../../src/facts/logs/load.js'
import {
  baseLogInventory,
  cleanup,
  COMPETITOR,
  type Json,
  OWN,
  review,
  writeScenario,
} from '../../facts/logs/scenario.js'

afterAll(cleanup)

function inventory(points: number): Json {
  const inv = baseLogInventory()
  inv.supply_points.push(
    {id: 'SW-IN', retailer: 'r-comp', to: '2026-03-31'},
    {id: 'SW-IN', retailer: 'r-own', from: '2026-04-01'},
    {id: 'OWN-SOME', retailer: 'r-own', from: '2026-03-30', to: '2026-04-01'},
  )
  const ids = new Set((inv.supply_points as {id: string}[]).map((s) => s.id))
  for (let i = 0; ids.size < points; i++) {
    const id = `F${String(i).padStart(5, '0')}`
    ids.add(id)
    inv.supply_points.push({id, retailer: i % 2 === 0 ? 'r-comp' : 'r-own'})
  }

  return inv
}

const header = '日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,表示項目,件数'
const lines = [
  ['2026/03/31 10:00:01', 'SW-IN', '3'],
  ['2026/04/01 10:00:02', 'SW-IN', '5'],
  ['2026/03/29 11:00:03', 'OWN-SOME', '7'],
  ['2026/03/30 11:00:04', 'OWN-SOME', '11'],
  ['2026/04/02 11:00:05', 'OWN-SOME', '13'],
  ['2026/04/03 12:00:06', COMPETITOR[2], '17'],
  ['2026/04/03 12:00:07', OWN[2], '19'],
  ['2026/04/04 12:00:08', 'F09970', '23'],
  ['2026/04/04 12:00:09', 'F09971', '29'],
  ['2026/04/05 12:00:10', 'F10000', '31'],
].flatMap(([at, sp, n]) => [`${at},T-NW,NW,R1,照会,${sp},氏名,${n}`, `${at},T-NW2,NW,N2,出力,${sp},,${n}`])

async function findings(points: number): Promise<string[]> {
  const s = await writeScenario(inventory(points))
  for (const f of readdirSync(s.logs)) rmSync(join(s.logs, f))
  writeFileSync(join(s.logs, 'access.csv'), `${[header, ...lines].join('\n')}\n`)
  const result = await review(s, {show: true})
  return result.findings.filter((f) => f.rule.includes('competitor')).map((f) => `${f.terminal} ${f.message.en}`)
}

describe('the supply-point ENUM limit', () => {
  it(`${SUPPLY_POINT_ENUM_MAX} and ${SUPPLY_POINT_ENUM_MAX + 1} supply points give the same findings`, async () => {
    const atLimit = await findings(SUPPLY_POINT_ENUM_MAX)
    const past = await findings(SUPPLY_POINT_ENUM_MAX + 1)
    // SW-IN before the switch (3), OWN-SOME outside its days (7 + 13), the competitor's (17), F09970 (a competitor's
    // filler, 23) and the undeclared F10000 (31); not SW-IN after the switch, OWN[2] or F09971 (an own filler).
    expect(atLimit).toEqual([
      'T-NW p-ep (ep, retail side) saw unmasked fields (氏名) of 94 competitor-customer record(s) as R1, first 2026-03-29T11:00:03+09:00, e.g. 0300000000000000000202',
      "T-NW2 N2 exported 94 record(s) of competitors' customers (or of unknown retailers) in 6 export(s), first 2026-03-29T11:00:03+09:00",
    ])
    expect(past).toEqual(atLimit)
  }, 20_000)
})
