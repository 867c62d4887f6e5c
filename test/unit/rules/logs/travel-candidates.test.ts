/**
 * The travel rule's hours are read in a second pass over the files, for the ids it can flag (see travelCandidates):
 * ids at two sites whose day spans come within the travel window of each other. Before, every id seen at two sites in
 * the month cost that second read (about half a review at 10 M rows), such as one at one office on Monday and at
 * another on Tuesday. The narrower set must never leave out an id the rule flags: random months are reviewed with it
 * and with every id at two sites (a pair budget of 0), and their findings must be the same.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {LogEngine} from '../../../../src/facts/logs/engine.js'
import {travelCandidates} from '../../../../src/facts/logs/load.js'
import {loadRules} from '../../../../src/rules/load.js'
import type {GeneratedRow} from '../../../../src/facts/logs/generate.js'
import {baseLogInventory, cleanup, review, rng, row, writeScenario} from '../../facts/logs/scenario.js'

const packs = mkdtempSync(join(tmpdir(), 'fa-travel-packs-'))
afterAll(() => {
  cleanup()
  rmSync(packs, {recursive: true, force: true})
})

/** Day spans (user, terminal, day, first, last) as `usage` holds them; T-A1 and T-A2 at site a, T-B at site b. */
async function candidates(
  spans: [string, string, string, string, string][],
  window: number | undefined,
  budget?: number,
): Promise<string[]> {
  const engine = await LogEngine.open({tmpDir: packs, timezone: 'Asia/Tokyo', threads: 1})
  try {
    await engine.run(
      `CREATE TABLE terminals AS SELECT * FROM (VALUES ('T-A1', 'a'), ('T-A2', 'a'), ('T-B', 'b')) t(id, site)`,
    )
    await engine.run(
      'CREATE TABLE usage (user_id VARCHAR, terminal VARCHAR, day DATE, first_at TIMESTAMP, last_at TIMESTAMP)',
    )
    for (const [user, terminal, day, first, last] of spans)
      await engine.run(
        `INSERT INTO usage VALUES ('${user}', '${terminal}', DATE '${day}', TIMESTAMP '${day} ${first}', TIMESTAMP '${day} ${last}')`,
      )
    const n = await travelCandidates(engine, window, budget)
    const ids = await engine.rows('SELECT user_id FROM travel_users ORDER BY user_id')
    expect(ids.length).toBe(n)
    return ids.map((r) => String(r.user_id))
  } finally {
    engine.close()
  }
}

const SPANS: [string, string, string, string, string][] = [
  // Another site on another day.
  ['U1', 'T-A1', '2026-04-01', '09:00:00', '17:00:00'],
  ['U1', 'T-B', '2026-04-02', '09:00:00', '10:00:00'],
  // Another site 61 minutes after the first site's last use.
  ['U2', 'T-A1', '2026-04-01', '09:00:00', '11:00:00'],
  ['U2', 'T-B', '2026-04-01', '12:01:00', '13:00:00'],
  // 60 minutes: the rule flags under 60, the candidates include 60.
  ['U3', 'T-A1', '2026-04-01', '09:00:00', '11:00:00'],
  ['U3', 'T-B', '2026-04-01', '12:00:00', '13:00:00'],
  // Across midnight: 23:50 at one site, 00:10 the next day at another.
  ['U4', 'T-A1', '2026-04-01', '23:30:00', '23:50:00'],
  ['U4', 'T-B', '2026-04-02', '00:10:00', '00:20:00'],
  // One site's span inside the other's (09:00 and 17:00 at a, 12:00 at b).
  ['U5', 'T-A1', '2026-04-01', '09:00:00', '17:00:00'],
  ['U5', 'T-B', '2026-04-01', '12:00:00', '12:05:00'],
  // Two terminals of one site, close together.
  ['U6', 'T-A1', '2026-04-01', '09:00:00', '09:10:00'],
  ['U6', 'T-A2', '2026-04-01', '09:15:00', '09:20:00'],
  // Both sites in the same minute.
  ['U8', 'T-A1', '2026-04-01', '10:00:00', '10:00:00'],
  ['U8', 'T-B', '2026-04-01', '10:00:00', '10:00:00'],
  // The later site first in the table, the earlier span after it.
  ['U7', 'T-B', '2026-04-01', '08:00:00', '08:30:00'],
  ['U7', 'T-A2', '2026-04-01', '08:45:00', '09:00:00'],
]

describe('travel candidates', () => {
  it('an id whose day spans at two sites come within the window', async () => {
    expect(await candidates(SPANS, 60)).toEqual(['U3', 'U4', 'U5', 'U7', 'U8'])
  })

  it('a wider window takes in the ids further apart', async () => {
    expect(await candidates(SPANS, 61)).toEqual(['U2', 'U3', 'U4', 'U5', 'U7', 'U8'])
    expect(await candidates(SPANS, 24 * 60)).toEqual(['U1', 'U2', 'U3', 'U4', 'U5', 'U7', 'U8'])
  })

  it('without a window, or over the pair budget, every id seen at two sites', async () => {
    const all = ['U1', 'U2', 'U3', 'U4', 'U5', 'U7', 'U8']
    expect(await candidates(SPANS, undefined)).toEqual(all)
    expect(await candidates(SPANS, 60, 0)).toEqual(all)
    // 7 ids at two sites with 2 spans each: 28 pairs.
    expect(await candidates(SPANS, 60, 27)).toEqual(all)
    expect(await candidates(SPANS, 60, 28)).toEqual(['U3', 'U4', 'U5', 'U7', 'U8'])
  })
})

describe('the travel rule with the narrower candidates', () => {
  it('flags what it flags with every id at two sites, in random months', async () => {
    let flagged = 0
    for (let seed = 1; seed <= 6; seed++) {
      const r = rng(seed)
      const inv = baseLogInventory()
      inv.sites.push({
        id: 's3',
        name: 'Site Three',
        zones: [{id: 'z3', name: 'NW office 3', kind: 'office', access: ['nw']}],
      })
      inv.terminals.push({id: 'T-NW3', hostname: 't-nw3', site: 's3', zone: 'z3', owner: 'nw', role: 'nw'})
      const terminals = ['T-NW', 'T-NW2', 'T-NW3']
      const extra: GeneratedRow[] = []
      const at = (m: number) => {
        const d = new Date(Date.UTC(2026, 2, 26) + m * 60_000).toISOString()
        return `${d.slice(0, 10)} ${d.slice(11, 19)}`
      }
      // N1 and N2 work at their own terminals every day (see ASSIGN); they and three ids of their own make visits:
      // one to three uses a few minutes apart at a random site, the next visit 30-90 minutes later (so some are just
      // inside the 60-minute window and some just outside) or hours later, some across midnight, on a few days.
      for (const user of ['N1', 'N2', 'X1', 'X2', 'X3', 'X4', 'X5', 'X6']) {
        let m = Math.floor(r() * 5 * 24 * 60)
        for (let visit = 0; visit < 4; visit++) {
          const terminal = terminals[Math.floor(r() * terminals.length)]
          for (let u = 0; u < 1 + Math.floor(r() * 3); u++) {
            extra.push(row(at(m), terminal, user, {unmasked: false}))
            m += Math.floor(r() * 5)
          }
          m += r() < 0.4 ? 3 * 60 + Math.floor(r() * 24 * 60) : 30 + Math.floor(r() * 60)
        }
      }
      const s = await writeScenario(inv, {extra})
      const narrow = (await review(s)).findings
      const wide = (await review(s, {travelPairBudget: 0})).findings
      const view = (fs: typeof narrow) => fs.map((f) => [f.rule, f.terminal, f.message.en])
      expect(view(narrow), `seed ${seed}`).toEqual(view(wide))
      flagged += narrow.filter((f) => f.rule === 'logs/impossible-travel').length
    }
    // The months are not vacuous: the rule flags some of their ids.
    expect(flagged).toBeGreaterThan(0)
  })
})

/**
 * A rule pack's rule that reads the hours: an id used at two sites on one day, by the hour. It must see every id at
 * two sites, whether its query names usage_hours or names it in text the engine resolves (query_table), which no
 * reading of the query's words finds, and whatever its own `travel_minutes` means (here none of the window).
 */
async function packRules(name: string, from: string, params = ''): Promise<Awaited<ReturnType<typeof loadRules>>> {
  const dir = join(packs, name)
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'mine.yaml'),
    `pack: mine
rules:
  - id: mine/two-sites-a-day
    severity: high
    needs: logs
    title: {en: Two sites a day, ja: 1日に2拠点}
    rationale: {en: Why, ja: 理由}
    remediation: {en: Fix, ja: 対処}
    message: {en: "{user_id} at {n} sites on {day}", ja: "{user_id} {n} {day}"}
${params}    sql: |
      SELECT min(u.terminal) AS terminal, u.user_id, CAST(u.hour AS DATE) AS day, count(DISTINCT t.site) AS n
      FROM ${from} u JOIN terminals t ON t.id = u.terminal
      GROUP BY u.user_id, CAST(u.hour AS DATE) HAVING count(DISTINCT t.site) > 1
`,
  )
  return loadRules([dir])
}

describe("a rule pack's rule that reads the hours", () => {
  for (const [name, from, params] of [
    ['by name', 'usage_hours', ''],
    ['through query_table', "query_table('usage' || '_hours')", ''],
    ['with a travel_minutes of its own', 'usage_hours', '    params: {travel_minutes: 60}\n'],
  ])
    it(`sees every id at two sites (${name}), however far apart`, async () => {
      // X1 at site s1 at 09:00 and at site s2 at 15:00: far outside the built-in rule's 60 minutes.
      const s = await writeScenario(baseLogInventory(), {
        extra: [
          row('2026-03-30 09:00:00', 'T-NW', 'X1', {unmasked: false}),
          row('2026-03-30 15:00:00', 'T-NW2', 'X1', {unmasked: false}),
        ],
      })
      const found = (await review(s, {rules: await packRules(name.replaceAll(' ', '-'), from, params)})).findings
      expect(found.filter((f) => f.rule === 'mine/two-sites-a-day').map((f) => f.message.en)).toEqual([
        'X1 at 2 sites on 2026-03-30',
      ])
      expect(found.filter((f) => f.rule === 'logs/impossible-travel')).toEqual([])
    })
})
