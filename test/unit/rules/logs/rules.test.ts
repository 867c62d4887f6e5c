/**
 * Each log rule fires on generated logs with its incident added, and stays quiet without it. Every case compares the
 * whole list of findings, so a rule that fires too widely fails the other cases too. Times are local (Asia/Tokyo).
 */
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../../../src/inventory/load.js'
import {openLedger, recordEvent} from '../../../../src/ledger/index.js'
import {recordReview} from '../../../../src/ledger/log-reviews.js'
import {
  baseLogInventory,
  cleanup,
  COMPETITOR,
  hits,
  type Json,
  OWN,
  review,
  row,
  type Scenario,
  writeScenario,
} from '../../facts/logs/scenario.js'
import type {GeneratedRow} from '../../../../src/facts/logs/generate.js'

afterAll(cleanup)

interface Case {
  name: string
  inv?: (inv: Json) => void
  extra?: GeneratedRow[]
  quiet?: string[]
  after?: (s: Scenario) => void
  db?: (file: string) => void
  want: string[]
}

const shared = {id: 'T-SH', hostname: 't-sh', site: 's1', zone: 'z-shared', owner: 'nw', role: 'nw'}
const disaster = {
  id: 'T-DR',
  hostname: 't-dr',
  site: 's1',
  zone: 'z-dr',
  owner: 'nw',
  role: 'nw',
  tags: ['disaster-reception'],
}
const FROM_DAY = '2026-03-25'
const window = {id: 'EW-1', from: '2026-04-01', to: '2026-04-03', sites: ['s1'], approver: 'p-nw', reason: 'storm'}

const CASES: Record<string, Case[]> = {
  baseline: [{name: 'generated logs of a correct fleet raise nothing', want: []}],
  'logs/undeclared-terminal': [
    {
      name: 'a PC nobody declared',
      extra: [row('2026-03-30 10:00:00', 'T-TEMP', 'R1', {setting: 'retail', unmasked: false})],
      want: ['T-TEMP logs/undeclared-terminal'],
    },
  ],
  'logs/removed-terminal-used': [
    {
      name: 'removed on 03-31, used 04-01 00:30',
      inv: (inv) => Object.assign(inv.terminals[2], {status: 'removed', removed: '2026-03-31'}),
      extra: [row('2026-04-01 00:30:00', 'T-NW2', 'N2')],
      want: ['T-NW2 logs/removed-terminal-used'],
    },
    {
      name: 'not: removed on 03-31, last used 03-31 23:59',
      inv: (inv) => Object.assign(inv.terminals[2], {status: 'removed', removed: '2026-03-31'}),
      extra: [row('2026-03-31 23:59:00', 'T-NW2', 'N2')],
      want: [],
    },
    {
      name: 'removed with no removal day known: any use',
      inv: (inv) => Object.assign(inv.terminals[2], {status: 'removed'}),
      extra: [row('2026-03-26 09:00:00', 'T-NW2', 'N2')],
      want: ['T-NW2 logs/removed-terminal-used'],
    },
  ],
  'logs/planned-terminal-used': [
    {
      name: 'planned terminal used',
      inv: (inv) =>
        inv.terminals.push({
          id: 'T-RT2',
          hostname: 't-rt2',
          site: 's1',
          zone: 'z-retail',
          owner: 'ep',
          role: 'retail',
          status: 'planned',
        }),
      extra: [row('2026-04-02 11:00:00', 'T-RT2', 'R1', {setting: 'retail', unmasked: false})],
      want: ['T-RT2 logs/planned-terminal-used'],
    },
    {
      name: 'installed 04-02, used 04-01 23:59',
      inv: (inv) =>
        inv.terminals.push({
          id: 'T-RT2',
          hostname: 't-rt2',
          site: 's1',
          zone: 'z-retail',
          owner: 'ep',
          role: 'retail',
          installed: '2026-04-02',
        }),
      quiet: ['T-RT2'],
      extra: [
        row('2026-04-01 23:59:00', 'T-RT2', 'R1', {setting: 'retail', unmasked: false}),
        ...daily('T-RT2', 'R1', '2026-04-02'),
      ],
      want: ['T-RT2 logs/planned-terminal-used'],
    },
    {
      name: 'not: installed 04-02, used 04-02 00:01',
      inv: (inv) =>
        inv.terminals.push({
          id: 'T-RT2',
          hostname: 't-rt2',
          site: 's1',
          zone: 'z-retail',
          owner: 'ep',
          role: 'retail',
          installed: '2026-04-02',
        }),
      quiet: ['T-RT2'],
      extra: [
        row('2026-04-02 00:01:00', 'T-RT2', 'R1', {setting: 'retail', unmasked: false}),
        ...daily('T-RT2', 'R1', '2026-04-02'),
      ],
      want: [],
    },
  ],
  'logs/competitor-data-to-retail-person': [
    {
      name: 'retail person sees a competitor customer on an NW terminal in an NW-only zone',
      extra: [row('2026-03-27 10:00:00', 'T-NW', 'R1', {supply_point: COMPETITOR[1]})],
      want: ['T-NW logs/competitor-data-to-retail-person'],
    },
    {
      name: "not: the group's own customer",
      extra: [row('2026-03-27 10:00:00', 'T-NW', 'R1', {supply_point: OWN[1]})],
      want: [],
    },
    {
      name: 'not: fields masked',
      extra: [
        row('2026-03-27 10:00:00', 'T-NW', 'R1', {supply_point: COMPETITOR[1], unmasked: false, setting: 'retail'}),
      ],
      want: ['T-NW logs/setting-differs-from-role'],
    },
    {
      name: "a switch on 04-01: the customer was a competitor's until 03-31",
      inv: (inv) =>
        inv.supply_points.push(
          {id: 'SP-SWITCH', retailer: 'r-comp', to: '2026-03-31'},
          {id: 'SP-SWITCH', retailer: 'r-own', from: '2026-04-01'},
        ),
      extra: [row('2026-03-31 23:59:00', 'T-NW', 'R1', {supply_point: 'SP-SWITCH'})],
      want: ['T-NW logs/competitor-data-to-retail-person'],
    },
    {
      name: "not: after the switch to the group's retailer (04-01 00:01)",
      inv: (inv) =>
        inv.supply_points.push(
          {id: 'SP-SWITCH', retailer: 'r-comp', to: '2026-03-31'},
          {id: 'SP-SWITCH', retailer: 'r-own', from: '2026-04-01'},
        ),
      extra: [row('2026-04-01 00:01:00', 'T-NW', 'R1', {supply_point: 'SP-SWITCH'})],
      want: [],
    },
    {
      name: "a customer of a retailer not in the table counts as a competitor's (fail closed)",
      extra: [row('2026-03-27 10:00:00', 'T-NW', 'R1', {supply_point: '0399999999999999999999'})],
      want: ['T-NW logs/competitor-data-to-retail-person'],
    },
  ],
  'logs/competitor-data-in-retail-reachable-zone': [
    {
      name: 'NW person on an NW terminal at the shared counter',
      inv: (inv) => inv.terminals.push(shared),
      quiet: ['T-SH'],
      extra: [
        row('2026-03-27 10:00:00', 'T-SH', 'N1', {supply_point: COMPETITOR[2]}),
        ...daily('T-SH', 'N1', FROM_DAY, {supply_point: OWN[2]}),
      ],
      want: ['T-SH logs/competitor-data-in-retail-reachable-zone'],
    },
    {
      name: "not: only the group's own customers at the counter",
      inv: (inv) => inv.terminals.push(shared),
      quiet: ['T-SH'],
      extra: daily('T-SH', 'N1', FROM_DAY, {supply_point: OWN[2]}),
      want: [],
    },
  ],
  'logs/setting-differs-from-role': [
    {
      name: 'retail PC logs the NW setting',
      extra: [row('2026-03-30 09:00:00', 'T-RT', 'R1', {unmasked: false})],
      want: ['T-RT logs/setting-differs-from-role'],
    },
  ],
  'logs/disaster-terminal-outside-window': [
    {
      name: "used at 00:01 after the window's last day",
      inv: (inv) => {
        inv.terminals.push(disaster)
        inv.emergency_windows = [window]
      },
      extra: [row('2026-04-03 23:59:00', 'T-DR', 'N1'), row('2026-04-04 00:01:00', 'T-DR', 'N1')],
      want: ['T-DR logs/disaster-terminal-outside-window'],
    },
    {
      name: 'not: used at 00:00 of the first day and 23:59 of the last day of the window',
      inv: (inv) => {
        inv.terminals.push(disaster)
        inv.emergency_windows = [window]
      },
      extra: [row('2026-04-01 00:00:00', 'T-DR', 'N1'), row('2026-04-03 23:59:00', 'T-DR', 'N1')],
      want: [],
    },
    {
      name: 'a window for another site does not count',
      inv: (inv) => {
        inv.terminals.push(disaster)
        inv.emergency_windows = [{...window, sites: ['s2']}]
      },
      extra: [row('2026-04-02 10:00:00', 'T-DR', 'N1')],
      want: ['T-DR logs/disaster-terminal-outside-window'],
    },
  ],
  'logs/use-after-membership-ended': [
    {
      name: 'left on 03-31, login 04-01 00:30',
      inv: (inv) =>
        inv.people.push({
          id: 'p-left',
          name: 'Left',
          company: 'nw',
          log_ids: ['L1'],
          periods: [{company: 'nw', to: '2026-03-31', end: 'leaving'}],
        }),
      extra: [row('2026-04-01 00:30:00', 'T-NW', 'L1')],
      want: ['T-NW logs/use-after-membership-ended'],
    },
    {
      name: 'not: left on 03-31, last use 23:59',
      inv: (inv) =>
        inv.people.push({
          id: 'p-left',
          name: 'Left',
          company: 'nw',
          log_ids: ['L1'],
          periods: [{company: 'nw', to: '2026-03-31', end: 'leaving'}],
        }),
      extra: [row('2026-03-31 23:59:00', 'T-NW', 'L1')],
      want: [],
    },
    {
      name: 'transfer day: NW until 03-31, retail from 04-01; the NW login on an NW terminal at 04-01 00:01',
      inv: (inv) => inv.people.push(transferred()),
      extra: [
        row('2026-03-31 23:59:00', 'T-NW', 'X1', {supply_point: COMPETITOR[3]}),
        row('2026-04-01 00:01:00', 'T-NW', 'X1', {supply_point: COMPETITOR[3]}),
      ],
      want: ['T-NW logs/competitor-data-to-retail-person', 'T-NW logs/use-after-membership-ended'],
    },
    {
      name: 'not: transferred person on a retail terminal after the transfer',
      inv: (inv) => inv.people.push(transferred()),
      extra: [row('2026-04-02 10:00:00', 'T-RT', 'X1', {setting: 'retail', unmasked: false})],
      want: [],
    },
  ],
  'logs/impossible-travel': [
    {
      name: 'one id at two sites 20 minutes apart',
      extra: [row('2026-03-26 07:00:00', 'T-NW', 'N1'), row('2026-03-26 07:20:00', 'T-NW2', 'N1')],
      want: ['T-NW2 logs/impossible-travel'],
    },
    {
      name: 'not: 65 minutes apart',
      extra: [row('2026-03-26 06:00:00', 'T-NW', 'N1'), row('2026-03-26 07:05:00', 'T-NW2', 'N1')],
      want: [],
    },
  ],
  'logs/volume-outlier': [
    {
      name: '1,500 views in one day',
      extra: burst('2026-04-02', 'T-NW', 'N1', 1500),
      want: ['T-NW logs/volume-outlier'],
    },
    {name: 'not: 150 views (under the floor)', extra: burst('2026-04-02', 'T-NW', 'N1', 150), want: []},
    {
      // 1,000 views on T-NW from 09:00 to 13:49 (200 an hour), then 600 on T-NW3 in the same room from 16:00 in two
      // hours (300 an hour): the finding names the terminal with the most records that day, not the busiest hour's.
      name: 'names the terminal with the most records of the day',
      inv: (inv) =>
        inv.terminals.push({id: 'T-NW3', hostname: 't-nw3', site: 's1', zone: 'z-nw', owner: 'nw', role: 'nw'}),
      quiet: ['T-NW3'],
      extra: [...burst('2026-04-02', 'T-NW', 'N1', 1000), ...afternoonBurst('2026-04-02', 'T-NW3', 'N1', 600)],
      // T-NW3 is otherwise unused for days, which is its own finding.
      want: ['T-NW logs/volume-outlier', 'T-NW3 logs/terminal-silent'],
    },
  ],
  'logs/bulk-export-competitor': [
    {
      name: "export of competitors' customers",
      extra: [row('2026-03-28 15:00:00', 'T-NW', 'N1', {action: 'export', records: 40, supply_point: COMPETITOR[4]})],
      want: ['T-NW logs/bulk-export-competitor'],
    },
    {
      name: "not: export of the group's own customers",
      extra: [row('2026-03-28 15:00:00', 'T-NW', 'N1', {action: 'export', records: 40, supply_point: OWN[4]})],
      want: [],
    },
  ],
  'logs/unknown-user': [
    {name: 'an id nobody holds', extra: [row('2026-03-29 12:00:00', 'T-NW', 'ZZ-9')], want: ['T-NW logs/unknown-user']},
  ],
  'logs/source-day-missing': [
    {
      name: 'the export of 04-03 is missing',
      after: (s) => rmSync(join(s.logs, 'access-20260403.csv')),
      want: ['source:src logs/source-day-missing'],
    },
  ],
  'logs/terminal-silent': [
    {name: 'an active terminal with no use at all', quiet: ['T-RT'], want: ['T-RT logs/terminal-silent']},
    {name: 'not: a disaster-reception terminal', inv: (inv) => inv.terminals.push(disaster), want: []},
  ],
  'logs/unparseable-lines': [
    {
      name: 'a broken line and a bad time',
      after: (s) =>
        writeFileSync(
          join(s.logs, 'extra.csv'),
          '日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,契約名義,電話番号,表示項目,件数\r\n2026/03/27 10:00:00,T-NW,NW,N1,照会,,,,,1\r\nbroken line\r\n2026/13/45 10:00:00,T-NW,NW,N1,照会,,,,,1\r\n',
        ),
      want: ['source:src logs/unparseable-lines'],
    },
  ],
  'logs/review-gap': [
    {
      name: 'a recorded review of 03-01..03-10, then this one from 03-25',
      db: (file) => past(file, [['2026-03-01', '2026-03-10']]),
      want: ['source:src logs/review-gap'],
    },
    {
      name: 'not: every day reviewed before',
      db: (file) =>
        past(file, [
          ['2026-03-01', '2026-03-10'],
          ['2026-03-11', '2026-03-24'],
        ]),
      want: [],
    },
  ],
}

describe('log rules on generated logs', () => {
  for (const [rule, cases] of Object.entries(CASES)) {
    describe(rule, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const inv = baseLogInventory()
          c.inv?.(inv)
          const s = await writeScenario(inv, {extra: c.extra, gen: {quiet: c.quiet}})
          c.after?.(s)
          let db: string | undefined
          if (c.db) {
            db = join(s.dir, 'ledger.sqlite')
            c.db(db)
          }

          const result = await review(s, {db})
          expect(hits(result)).toEqual([...c.want].sort())
        })
      }
    })
  }
})

describe('the ledger database gives removal days', () => {
  for (const [at, want] of [
    ['2026-04-01 00:30:00', ['T-NW2 logs/removed-terminal-used']],
    ['2026-03-31 23:59:00', []],
  ] as const) {
    it(`removed in the ledger at 2026-03-31T10:00+09:00, used ${at}: ${want.length > 0 ? 'a finding' : 'none'}`, async () => {
      const inv = baseLogInventory()
      inv.terminals[2].status = 'removed'
      const s = await writeScenario(inv, {extra: [row(at, 'T-NW2', 'N2')]})
      const db = join(s.dir, 'ledger.sqlite')
      const ledger = openLedger(db)
      try {
        recordEvent(
          ledger,
          await loadInventory(s.inventory),
          {
            kind: 'remove',
            terminal: 'T-NW2',
            issuer: 'nw',
            actor: 'p-nw',
            approver: 'p-nw2',
            occurred_at: '2026-03-31T10:00:00+09:00',
          },
          new Date('2026-04-01T00:00:00Z'),
        )
      } finally {
        ledger.close()
      }

      const result = await review(s, {db})
      expect(hits(result)).toEqual(want)
      if (want.length > 0) expect(result.findings[0].message.en).toMatch(/after its removal day 2026-03-31 /)
    })
  }
})

describe('what findings say', () => {
  it('the removal case names the removal day and the first use in Tokyo time with its offset', async () => {
    const inv = baseLogInventory()
    Object.assign(inv.terminals[2], {status: 'removed', removed: '2026-03-31'})
    const s = await writeScenario(inv, {extra: [row('2026-04-01 00:30:00', 'T-NW2', 'N2')]})
    const [f] = (await review(s)).findings
    expect(f.message.en).toBe(
      'used 1 times after its removal day 2026-03-31 (first 2026-04-01T00:30:00+09:00, last 2026-04-01T00:30:00+09:00)',
    )
    expect(f).toMatchObject({
      severity: 'critical',
      site: 's2',
      zone: 'z2',
      expected: 'no use after 2026-03-31',
      actual: 'used 2026-04-01',
    })
    expect(f.location).toMatchObject({file: s.inventory})
  })

  it('an unparseable line is located at file:line', async () => {
    const s = await writeScenario(baseLogInventory())
    const file = join(s.logs, 'extra.csv')
    writeFileSync(
      file,
      '日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,契約名義,電話番号,表示項目,件数\r\n2026/03/27 10:00:00,T-NW,NW,N1,照会,,,,,1\r\nbroken line\r\n2026/13/45 10:00:00,T-NW,NW,N1,照会,,,,,1\r\n',
    )
    const result = await review(s)
    const [f] = result.findings
    expect(f.message.en).toBe(
      `2 line(s) of ${file} could not be read (${file}:3, ${file}:4); the review of 2026-03-27 is incomplete`,
    )
    expect(result.logs?.unparseable).toBe(2)
    expect(result.logs?.files.find((x) => x.file === file)).toMatchObject({
      rows: 3,
      unparseable: 2,
      first_unparseable: [`${file}:3`, `${file}:4`],
    })
  })

  it('supply point ids are masked with a keyed hash, stable across runs; shown in full only on request', async () => {
    const s = await writeScenario(baseLogInventory(), {
      extra: [row('2026-03-27 10:00:00', 'T-NW', 'R1', {supply_point: COMPETITOR[1]})],
    })
    const a = JSON.stringify(await review(s))
    const b = JSON.stringify(await review(s))
    const mask = /sp:[0-9a-f]{12}/.exec(a)?.[0]
    expect(mask).toBeDefined()
    expect(b).toContain(mask)
    expect(a).not.toContain(COMPETITOR[1])
    expect(JSON.stringify(await review(s, {show: true}))).toContain(COMPETITOR[1])
  })
})

describe('ties are broken the same way every run', () => {
  it('volume: two terminals with the same records that day name the smaller id', async () => {
    const inv = baseLogInventory()
    inv.terminals.push({id: 'T-NW3', hostname: 't-nw3', site: 's1', zone: 'z-nw', owner: 'nw', role: 'nw'})
    // 800 on T-NW3 from 09:00, then 800 on T-NW from 16:00: the level terminal read first is not the one named
    const s = await writeScenario(inv, {
      gen: {quiet: ['T-NW', 'T-NW3']},
      extra: [...burst('2026-04-02', 'T-NW3', 'N1', 800), ...afternoonBurst('2026-04-02', 'T-NW', 'N1', 800)],
    })
    const result = await review(s)
    expect(hits(result).filter((h) => h.endsWith('volume-outlier'))).toEqual(['T-NW logs/volume-outlier'])
  })

  it('silence: of two equally long silent spells the finding starts at the first', async () => {
    const inv = baseLogInventory()
    inv.terminals.push({id: 'T-NW3', hostname: 't-nw3', site: 's1', zone: 'z-nw', owner: 'nw', role: 'nw'})
    // reviewed 03-25..04-08 and used on 04-01 only: silent 03-25..03-31 and 04-02..04-08, seven days each
    const s = await writeScenario(inv, {
      gen: {quiet: ['T-NW3'], to: '2026-04-08'},
      extra: [row('2026-04-01 12:00:00', 'T-NW3', 'N1')],
    })
    const f = (await review(s, {to: '2026-04-08'})).findings.filter((x) => x.rule === 'logs/terminal-silent')
    expect(f.map((x) => x.message.en)).toEqual(['no log for 7 day(s) in a row from 2026-03-25 (the review allows 6)'])
  })
})

describe('what the membership and setting findings count', () => {
  it('after a transfer out of the NW side, counts only the NW-set uses after the transfer day', async () => {
    const inv = baseLogInventory()
    inv.people.push(transferred())
    const s = await writeScenario(inv, {
      extra: [
        // NW until 03-31: uses on that day are no finding
        row('2026-03-31 10:00:00', 'T-NW', 'X1'),
        row('2026-03-31 23:59:00', 'T-NW', 'X1'),
        // retail side from 04-01: a retail-set use that day is not one of the NW-set uses (it is a mis-set terminal)
        row('2026-04-01 08:00:00', 'T-NW', 'X1', {setting: 'retail', unmasked: false}),
        row('2026-04-01 09:00:00', 'T-NW', 'X1'),
        row('2026-04-02 09:30:00', 'T-NW', 'X1'),
        row('2026-04-02 10:00:00', 'T-NW', 'X1', {unmasked: false}),
      ],
    })
    const result = await review(s)
    expect(hits(result)).toEqual(['T-NW logs/setting-differs-from-role', 'T-NW logs/use-after-membership-ended'])
    const f = result.findings.find((x) => x.rule === 'logs/use-after-membership-ended')!
    expect(f.message.en).toBe(
      'X1 of p-x was used 3 times after transfer on 2026-03-31, first 2026-04-01T09:00:00+09:00',
    )
    expect(f).toMatchObject({expected: 'no use after 2026-03-31', actual: 'used 2026-04-01'})
  })

  it('one finding per unusual logged setting, each with its own count and first use', async () => {
    const s = await writeScenario(baseLogInventory(), {
      extra: [
        // two unusual settings on the same terminal, user and day, and one of them again the next day
        row('2026-03-28 09:00:00', 'T-NW', 'N1', {setting: 'TEST'}),
        row('2026-03-28 10:00:00', 'T-NW', 'N1', {setting: 'MAINT'}),
        row('2026-03-29 11:00:00', 'T-NW', 'N1', {setting: 'MAINT'}),
      ],
    })
    const result = await review(s)
    expect(hits(result)).toEqual(['T-NW logs/setting-differs-from-role', 'T-NW logs/setting-differs-from-role'])
    expect(result.findings.map((f) => [f.actual, f.message.en]).sort()).toEqual([
      ['MAINT', 'logged the MAINT setting 2 times, declared nw; first 2026-03-28T10:00:00+09:00'],
      ['TEST', 'logged the TEST setting 1 times, declared nw; first 2026-03-28T09:00:00+09:00'],
    ])
  })
})

/** Rows on every day of the review from `from`, so that a terminal added for a case is not silent. */
function daily(terminal: string, user: string, from: string, over: Partial<GeneratedRow> = {}): GeneratedRow[] {
  const out: GeneratedRow[] = []
  for (
    let d = new Date(`${from}T00:00:00Z`);
    d.toISOString().slice(0, 10) <= '2026-04-07';
    d.setUTCDate(d.getUTCDate() + 1)
  )
    out.push(
      row(`${d.toISOString().slice(0, 10)} 12:00:00`, terminal, user, {
        setting: terminal === 'T-RT2' ? 'retail' : 'nw',
        unmasked: terminal !== 'T-RT2',
        ...over,
      }),
    )
  return out
}

/** `n` uses from 16:00 on `day`, 300 an hour (five a minute). */
function afternoonBurst(day: string, terminal: string, user: string, n: number): GeneratedRow[] {
  return Array.from({length: n}, (_, k) =>
    row(`${day} ${16 + Math.floor(k / 300)}:${String(Math.floor((k % 300) / 5)).padStart(2, '0')}:00`, terminal, user),
  )
}

function burst(day: string, terminal: string, user: string, n: number): GeneratedRow[] {
  return Array.from({length: n}, (_, k) =>
    row(
      `${day} ${String(9 + Math.floor(k / 200)).padStart(2, '0')}:${String(Math.floor((k % 200) / 4)).padStart(2, '0')}:00`,
      terminal,
      user,
    ),
  )
}

function transferred(): Json {
  return {
    id: 'p-x',
    name: 'Transferred',
    company: 'ep',
    log_ids: ['X1'],
    periods: [
      {company: 'nw', from: '2020-04-01', to: '2026-03-31', end: 'transfer'},
      {company: 'ep', from: '2026-04-01'},
    ],
  }
}

function past(file: string, periods: [string, string][]): void {
  const db = openLedger(file)
  try {
    for (const [from, to] of periods)
      recordReview(db, {
        recordedAt: new Date(`${to}T12:00:00Z`),
        inventoryRoot: 'inv',
        summary: {
          from,
          to,
          timezone: 'Asia/Tokyo',
          sources: ['src'],
          files: [],
          rows: 0,
          in_period: 0,
          unparseable: 0,
          terminals_covered: 0,
          supply_points: 'masked',
          mask_key: 'operator',
        },
        findingCount: 0,
        terminalsCovered: [],
      })
  } finally {
    db.close()
  }
}
