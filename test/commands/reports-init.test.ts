import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {XMLParser} from 'fast-xml-parser'
import {afterAll, describe, expect, it} from 'vitest'

import {EXAMPLE_NOW, run, AUDIT_EXAMPLE} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-reports-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

type Case = {classname: string; name: string; failure?: unknown; skipped?: unknown}

async function junit(...extra: string[]) {
  const r = await run([...AUDIT_EXAMPLE, '--format', 'junit', ...extra])
  const json = JSON.parse((await run([...AUDIT_EXAMPLE, '--json', ...extra])).stdout)
  const xml = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  }).parse(r.stdout)
  const cases: Case[] = xml.testsuites.testsuite.flatMap((s: {testcase: Case[]}) => s.testcase)
  return {r, xml, cases, json}
}

describe('JUnit', () => {
  it('parses as XML; failures are exactly the findings at or above --fail-on, waived ones are skipped', async () => {
    const {r, xml, cases, json} = await junit()
    expect(r.code).toBe(1)
    const failures = cases.filter((c) => c.failure !== undefined)
    expect(failures.length).toBe(json.summary.failing)
    expect(Number(xml.testsuites.failures)).toBe(json.summary.failing)
    const skipped = (why: RegExp) =>
      cases
        .filter((c) => why.test((c.skipped as {message?: string} | undefined)?.message ?? ''))
        .map((c) => `${c.classname} ${c.name}`)
    expect(skipped(/^waived by /)).toEqual(['CC-DR-311 placement/nw-terminal-in-shared-zone'])
    // The planned terminal has no facts: its facts rules are skipped as not evaluated, never listed as passed.
    const notEvaluated = json.not_evaluated.flatMap((n: {terminal: string; rules: string[]}) =>
      n.rules.map((rule) => `${n.terminal} ${rule}`),
    )
    expect(notEvaluated).toContain('IS-RT-104 reconcile/role-mismatch')
    expect(skipped(/^not evaluated: /).sort()).toEqual(notEvaluated.sort())
    expect(cases.filter((c) => c.skipped !== undefined).length).toBe(1 + notEvaluated.length)
    expect(failures.map((c) => `${c.classname} ${c.name}`)).toContain('HC-NW-001 placement/nw-terminal-in-shared-zone')
    // One test case per terminal and rule: the correct terminals have passing cases for every rule that applies.
    expect(cases.filter((c) => c.classname === 'HC-RT-020' && c.failure === undefined).length).toBeGreaterThan(15)
  })

  it('follows --fail-on: with critical, the high findings pass (reported in system-out)', async () => {
    const {cases, json} = await junit('--fail-on', 'critical')
    expect(cases.filter((c) => c.failure !== undefined).length).toBe(json.summary.failing)
    expect(json.summary.failing).toBe(8)
  })
})

describe('Markdown', () => {
  it('summarises for a job summary: verdict, counts by severity, failing terminals by site and zone, waivers expiring soon', async () => {
    const r = await run([...AUDIT_EXAMPLE, '--format', 'markdown'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^## fleet-audit: audit: ❌ Failed/)
    expect(r.stdout).toContain('| critical | 8 |')
    expect(r.stdout).toContain(
      '| 八戸営業所 | 共用カウンター | `HC-NW-001` | critical | `placement/nw-terminal-in-shared-zone` |',
    )
    expect(r.stdout).toMatch(
      /### Waivers expiring within 30 days\n\n\| Waiver .*\n.*\n\| W-2026-011 \| `placement\/nw-terminal-in-shared-zone` \| CC-DR-311 \| nw-suzuki \| 2026-12-25 \|/,
    )
    const ja = await run([...AUDIT_EXAMPLE, '--format', 'markdown', '--lang', 'ja'])
    expect(ja.stdout).toContain('不合格の端末')
  })
})

describe('init', () => {
  it('writes a starter inventory that validates as written, and never overwrites without --force', async () => {
    const dir = join(tmp, 'inv')
    const r = await run(['init', dir])
    expect(r.code).toBe(0)
    expect(readdirSync(dir).sort()).toEqual(['fleet.yaml', 'inventory.schema.json', 'sites', 'waivers.yaml'])
    const v = await run(['inventory', 'validate', '-i', dir, '--now', EXAMPLE_NOW])
    expect([v.code, v.stdout.trim().split('\n').at(-1)]).toEqual([
      0,
      '0 findings, 0 waived; 0 failing (--fail-on high)',
    ])
    const again = await run(['init', dir])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('already exists (use --force to overwrite)')
    expect((await run(['init', dir, '--force'])).code).toBe(0)
  })
})
