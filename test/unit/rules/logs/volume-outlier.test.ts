/**
 * `logs/volume-outlier` takes a person's own median only for people who can be flagged (a day over the minimum and
 * the peers' threshold). Here it is compared with the rule's plain definition — the median over every person-day —
 * in the engine, on generated days around every threshold: one day only, every day equal, ties, tiny and huge factors.
 */
import {readFileSync} from 'node:fs'

import {DuckDBInstance} from '@duckdb/node-api'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

const rule = (
  parse(readFileSync('rules/logs.yaml', 'utf8')) as {rules: {id: string; sql: string; params: Record<string, number>}[]}
).rules.find((r) => r.id === 'logs/volume-outlier')!

/** The definition: every person-day's median of the person's other days, then the three thresholds. */
const DEFINITION = `
  WITH pd AS (
    SELECT l.person, u.day, sum(u.activity) AS records, first(u.terminal ORDER BY u.activity DESC, u.terminal) AS terminal, min(u.first_at) AS first_at
    FROM usage u JOIN log_ids l ON l.log_id = u.user_id
    WHERE u.activity > 0
    GROUP BY l.person, u.day
  ), own AS (
    SELECT person, day, coalesce(median(records) OVER (PARTITION BY person ORDER BY day
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW), 0) AS own
    FROM pd
  ), peers AS (
    SELECT quantile_cont(records, 0.95) AS peers FROM pd
  )
  SELECT pd.terminal, pd.person, pd.day, pd.records, round(own.own, 1) AS own, round(peers.peers, 1) AS peers, pd.first_at,
    '<= ' || CAST(round(greatest($own_factor * own.own, $peer_factor * peers.peers, $min_records), 0) AS VARCHAR) AS expected,
    CAST(pd.records AS VARCHAR) AS actual
  FROM pd JOIN own USING (person, day), peers
  WHERE pd.records >= $min_records AND pd.records > $own_factor * own.own AND pd.records > $peer_factor * peers.peers`

function random(seed: number): (n: number) => number {
  let s = seed
  return (n) => {
    s = (s * 1_103_515_245 + 12_345) & 0x7f_ff_ff_ff
    return Math.floor((s / 0x80_00_00_00) * n)
  }
}

describe('logs/volume-outlier', () => {
  it('finds exactly what its definition finds, on 400 generated months around its thresholds', async () => {
    const instance = await DuckDBInstance.create(':memory:')
    const conn = await instance.connect()
    const rnd = random(17)
    let flagged = 0
    for (let c = 0; c < 400; c++) {
      const people = 1 + rnd(8)
      const days = 1 + rnd(c % 5 === 0 ? 3 : 20)
      const terminals = 1 + rnd(3)
      const mode = rnd(4)
      const rows: string[] = []
      let last = 0
      for (let p = 0; p < people; p++)
        for (let d = 1; d <= days; d++) {
          if (rnd(10) < 3) continue
          for (let t = 0; t < terminals; t++) {
            let a =
              mode === 0
                ? 40 // every day equal
                : mode === 1
                  ? [0, 1, 40, 199, 200, 201, 1000, 5000][rnd(8)] // just under and over the minimum
                  : mode === 2
                    ? rnd(10) === 0
                      ? 200 + rnd(3000)
                      : rnd(50)
                    : rnd(1000)
            if (t > 0 && rnd(3) === 0) a = last // two terminals with the same count that day
            last = a
            const day = `2026-03-${String(d).padStart(2, '0')}`
            rows.push(`('U${p}${rnd(10) === 0 ? 'b' : ''}', '${day}', 'T${t}', ${a}, '${day} 0${rnd(9)}:00:00')`)
          }
        }

      await conn.run(
        `CREATE OR REPLACE TABLE usage (user_id VARCHAR, day DATE, terminal VARCHAR, activity BIGINT, first_at TIMESTAMP)`,
      )
      await conn.run(`CREATE OR REPLACE TABLE log_ids (log_id VARCHAR, person VARCHAR)`)
      if (rows.length > 0) await conn.run(`INSERT INTO usage VALUES ${rows.join(', ')}`)
      await conn.run(
        `INSERT INTO log_ids VALUES ${Array.from({length: people}, (_, p) => `('U${p}', 'p${p}'), ('U${p}b', 'p${p}')`).join(', ')}`,
      )
      const params =
        c % 2 === 0
          ? rule.params
          : {min_records: [1, 40, 200][rnd(3)], own_factor: [1, 2, 5][rnd(3)], peer_factor: [0.5, 1, 5][rnd(3)]}
      const run = async (sql: string) =>
        (await conn.runAndReadAll(sql, params))
          .getRowObjectsJson()
          .map((r) => JSON.stringify(r))
          .sort()
      const got = await run(rule.sql)
      expect(got, `case ${c}`).toEqual(await run(DEFINITION))
      flagged += got.length
    }

    // The cases flag people, not only nobody.
    expect(flagged).toBeGreaterThan(100)
    conn.closeSync()
  }, 120_000)
})
