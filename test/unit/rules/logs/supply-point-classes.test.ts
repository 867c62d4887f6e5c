/**
 * Whose customer a row's supply point is, as the competitor-data rule counts it and names its example: every kind of
 * supply point the engine-side lookup sorts into classes (see `classifySupplyPoints`), with and without a logged
 * retailer, and the same cases through the join used for more supply points than SUPPLY_POINT_ENUM_MAX. One finding
 * per case (retail person R1 on T-NW), its count and example compared in full.
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
  row,
  writeScenario,
} from '../../facts/logs/scenario.js'
import type {GeneratedRow} from '../../../../src/facts/logs/generate.js'

afterAll(cleanup)

const RULE = 'logs/competitor-data-to-retail-person'
/** Ids that sort before and after every inventory id. */
const LOW = '0300000000000000000001'
const HIGH = '0399999999999999999999'

/** The rule's finding for R1: how many records, and the example supply point (shown in full); null when none. */
async function seen(
  inv: Json,
  extra: GeneratedRow[],
  options: {mapping?: Json; csv?: string; enumMax?: number} = {},
): Promise<{n: number; example: string} | null> {
  const s = await writeScenario(inv, {extra, mapping: options.mapping})
  if (options.csv !== undefined) {
    for (const f of readdirSync(s.logs)) rmSync(join(s.logs, f))
    writeFileSync(join(s.logs, 'access.csv'), options.csv)
  }

  const findings = (await review(s, {show: true, supplyPointEnumMax: options.enumMax})).findings.filter(
    (f) => f.rule === RULE,
  )
  expect(findings.length).toBeLessThanOrEqual(1)
  if (findings.length === 0) return null
  const m = / of (\d+) competitor-customer record\(s\) .* e\.g\. (\S+)$/.exec(findings[0].message.en)
  expect(m, findings[0].message.en).not.toBeNull()
  return {n: Number(m![1]), example: m![2]}
}

const at = (day: string, over: Partial<GeneratedRow> = {}) => row(`${day} 10:00:00`, 'T-NW', 'R1', over)

for (const [how, enumMax] of [
  ['an ENUM lookup', undefined],
  ['a join', 0],
] as const) {
  describe(`by ${how}`, () => {
    const look: typeof seen = (inv, extra, options = {}) => seen(inv, extra, {...options, enumMax})

    describe('whose customer a supply point is, for every class of supply point', () => {
      it("a competitor's customer in every period, and in the gap between them", async () => {
        const inv = baseLogInventory()
        inv.supply_points.push(
          {id: 'SP-C', retailer: 'r-comp', to: '2026-03-27'},
          {id: 'SP-C', retailer: 'r-comp', from: '2026-03-30'},
        )
        const r = await look(inv, [
          at('2026-03-26', {supply_point: 'SP-C'}),
          at('2026-03-28', {supply_point: 'SP-C'}),
          at('2026-03-31', {supply_point: 'SP-C'}),
        ])
        expect(r).toEqual({n: 3, example: 'SP-C'})
      })

      it("the group's own customer only from a day: a competitor's before it (no period is not own)", async () => {
        const inv = baseLogInventory()
        inv.supply_points.push({id: 'SP-LATE', retailer: 'r-own', from: '2026-04-01'})
        const r = await look(inv, [
          at('2026-03-30', {supply_point: 'SP-LATE'}),
          at('2026-04-01', {supply_point: 'SP-LATE'}),
          at('2026-04-02', {supply_point: 'SP-LATE'}),
        ])
        expect(r).toEqual({n: 1, example: 'SP-LATE'})
      })

      it('a switch to the own retailer: the rows after it are neither counted nor the example', async () => {
        const inv = baseLogInventory()
        // '00-SWITCH' sorts before every other id, so it would be the example if its own-customer rows were kept.
        inv.supply_points.push(
          {id: '00-SWITCH', retailer: 'r-comp', to: '2026-03-31'},
          {id: '00-SWITCH', retailer: 'r-own', from: '2026-04-01'},
        )
        const r = await look(inv, [
          at('2026-04-02', {supply_point: '00-SWITCH', records: 5}),
          at('2026-04-02', {supply_point: COMPETITOR[3], records: 2}),
        ])
        expect(r).toEqual({n: 2, example: COMPETITOR[3]})
      })

      it('a switch away from the own retailer: counted from the switch day, on the same day as own customers', async () => {
        const inv = baseLogInventory()
        inv.supply_points.push(
          {id: 'SP-LEFT', retailer: 'r-own', to: '2026-03-31'},
          {id: 'SP-LEFT', retailer: 'r-comp', from: '2026-04-01'},
        )
        const r = await look(inv, [
          at('2026-03-31', {supply_point: 'SP-LEFT', records: 7}),
          at('2026-04-01', {supply_point: 'SP-LEFT', records: 3}),
          at('2026-04-01', {supply_point: OWN[4], records: 11}),
        ])
        expect(r).toEqual({n: 3, example: 'SP-LEFT'})
      })

      it('the example is the smallest id shown, whether the supply point is declared or not', async () => {
        const low = await look(baseLogInventory(), [
          at('2026-03-27', {supply_point: COMPETITOR[5]}),
          at('2026-03-28', {supply_point: LOW}),
        ])
        expect(low).toEqual({n: 2, example: LOW})
        const high = await look(baseLogInventory(), [
          at('2026-03-27', {supply_point: HIGH}),
          at('2026-03-28', {supply_point: COMPETITOR[5]}),
          at('2026-03-28', {supply_point: COMPETITOR[7]}),
        ])
        expect(high).toEqual({n: 3, example: COMPETITOR[5]})
      })

      it('an inventory without supply points: every customer is a competitor', async () => {
        const inv = baseLogInventory()
        inv.supply_points = []
        const r = await look(inv, [at('2026-03-27', {supply_point: OWN[1]})])
        expect(r?.example).toBe(OWN[1])
      })
    })

    describe('a logged retailer decides over the supply point table', () => {
      const withRetailer = mapping({fields: {...mapping().fields, retailer: '小売事業者'}})
      /** R1 viewing on T-NW with fields shown, one line per [supply point, logged retailer, records]. */
      const csv = (rows: [string, string, number][]) =>
        [
          '日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,小売事業者,表示項目,件数',
          ...rows.map(
            ([sp, retailer, n]) => `2026/03/27 10:00:00,T-NW,NW,R1,照会,${sp},${retailer},契約名義|電話番号,${n}`,
          ),
          '',
        ].join('\r\n')

      it('own retailer logged for a competitor id: not counted; competitor logged for an own id: counted', async () => {
        const r = await look(baseLogInventory(), [], {
          mapping: withRetailer,
          csv: csv([
            [COMPETITOR[1], 'r-own', 1],
            [OWN[1], 'r-comp', 4],
          ]),
        })
        expect(r).toEqual({n: 4, example: OWN[1]})
      })

      it('an unknown retailer is a competitor; none logged falls back to the table, switches included', async () => {
        const inv = baseLogInventory()
        inv.supply_points.push(
          {id: '00-SWITCH', retailer: 'r-comp', to: '2026-03-26'},
          {id: '00-SWITCH', retailer: 'r-own', from: '2026-03-27'},
        )
        const r = await look(inv, [], {
          mapping: withRetailer,
          csv: csv([
            [OWN[2], 'r-unknown', 2],
            [COMPETITOR[2], '', 3],
            [OWN[3], '', 5],
            ['00-SWITCH', '', 6],
            ['00-SWITCH', 'r-comp', 7],
          ]),
        })
        expect(r).toEqual({n: 12, example: '00-SWITCH'})
      })
    })
  })
}
