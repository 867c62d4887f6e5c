/**
 * A rule pack's log rule and its `params`: a `$name` the query uses that its params do not give is exit 2 at the rule
 * (it was an internal error when the query ran), a param the query does not use is not bound (the engine refused the
 * whole review: an internal error), and a query that does not compile is exit 2 at the rule.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_NOW, run} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-rule-params-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** A pack of one log rule with these params and this condition on each user id's rows. */
function pack(name: string, params: string, having: string): string {
  const dir = join(tmp, name)
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'mine.yaml'),
    `pack: mine
rules:
  - id: mine/busy-id
    severity: high
    needs: logs
    params: ${params}
    title: {en: A busy id, ja: 多忙なID}
    rationale: {en: Why, ja: 理由}
    remediation: {en: Fix, ja: 対処}
    message: {en: "{user_id} used {n} times", ja: "{user_id} {n}"}
    sql: |
      SELECT min(u.terminal) AS terminal, u.user_id, sum(u.n) AS n FROM usage u GROUP BY u.user_id HAVING ${having}
`,
  )
  return dir
}

const review = (rules: string) =>
  run([
    ...['logs', 'analyze', '-i', EXAMPLE, '--logs', `${EXAMPLE}/logs/customer-system.yaml`],
    ...['--from', '2026-10-01', '--to', '2026-10-31', '--now', EXAMPLE_NOW, '--rules', rules, '--format', 'json'],
  ])

describe("a log rule's params", () => {
  it('a param the query does not use is not bound: the review runs, and the rule with it', async () => {
    const r = await review(pack('unused', '{limit: 1000000, margin: 5}', 'sum(u.n) > $limit'))
    expect(r.stderr).not.toMatch(/internal error/)
    expect(r.code).toBe(1)
    const found = JSON.parse(r.stdout).findings.filter((f: {rule: string}) => f.rule === 'mine/busy-id')
    expect(found).toEqual([])
    // The example's month still shows its incidents.
    expect(JSON.parse(r.stdout).findings.length).toBeGreaterThan(20)
  })

  it('a $name the params do not give is exit 2 at the rule, before any file is read', async () => {
    const r = await review(pack('missing', '{margin: 5}', 'sum(u.n) > $limit'))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /mine\.yaml:3:5 rule mine\/busy-id: the sql query uses \$limit, which its params do not give/,
    )
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
  })

  it('a query that does not compile is exit 2 at the rule', async () => {
    const r = await review(pack('broken', '{}', 'sum(u.no_such_column) > 1'))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/mine\.yaml:3:5 rule mine\/busy-id: the sql query does not compile: .*no_such_column/)
  })
})
