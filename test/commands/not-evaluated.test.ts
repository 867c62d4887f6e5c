/**
 * What could not be evaluated is never a pass, in any report (issue 8, item 9): a terminal whose collection was
 * refused has its facts rules reported as not evaluated in JSON, JUnit (skipped with the reason), SARIF (a
 * notification at the terminal's line), Markdown and the table; a rule whose condition fails at run time is a JUnit
 * error (at or above --fail-on) or skipped (below), never a passing test case.
 */
import {cpSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {XMLParser} from 'fast-xml-parser'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, ROOT, run, tempDir} from './helpers.js'

const tmp = tempDir('fa-noteval-')
afterAll(() => tmp.remove())
let facts: string
let audit: (...extra: string[]) => ReturnType<typeof run>

beforeAll(() => {
  // HC-RT-020 refused the connection: nothing about its setting is known.
  facts = join(tmp.dir, 'facts')
  cpSync(join(ROOT, EXAMPLE_FACTS), facts, {recursive: true})
  writeFileSync(
    join(facts, 'HC-RT-020.json'),
    JSON.stringify({
      terminal: 'HC-RT-020',
      collected_at: '2026-11-26T10:00:00+09:00',
      outcome: 'refused',
      error: {reason: 'connection refused', raw: ''},
    }),
  )
  audit = (...extra) => run(['audit', '-i', EXAMPLE, '--facts', facts, '--now', EXAMPLE_NOW, ...extra])
})

type Case = {classname: string; name: string; failure?: unknown; error?: {message: string}; skipped?: {message: string}}
const parseJunit = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  }).parse(xml)
const casesOf = (doc: {testsuites: {testsuite: {testcase: Case[]}[]}}): Case[] =>
  doc.testsuites.testsuite.flatMap((s) => s.testcase)

describe('a terminal whose collection was refused', () => {
  it('JSON lists its facts rules as not evaluated, with the reason', async () => {
    const r = await audit('--format', 'json')
    expect(r.code).toBe(1)
    const entry = JSON.parse(r.stdout).not_evaluated.find((n: {terminal: string}) => n.terminal === 'HC-RT-020')
    expect(entry).toMatchObject({
      status: 'active',
      reason: 'refused: connection refused',
      location: {line: 44, column: 5},
    })
    expect(entry.rules).toContain('reconcile/role-mismatch')
    expect(entry.rules).not.toContain('collect/unverified')
  })

  it('JUnit skips those test cases with the reason instead of passing them', async () => {
    const r = await audit('--format', 'junit')
    const cases = casesOf(parseJunit(r.stdout)).filter((c) => c.classname === 'HC-RT-020')
    const role = cases.find((c) => c.name === 'reconcile/role-mismatch')!
    expect(role.skipped?.message).toBe('not evaluated: refused: connection refused')
    expect(cases.find((c) => c.name === 'collect/unverified')!.failure).toBeDefined()
    // Only rules that need no facts, or judge the collection itself, can pass: nothing compares a setting unseen.
    const passed = cases
      .filter((c) => c.failure === undefined && c.skipped === undefined && c.error === undefined)
      .map((c) => c.name)
    expect(
      passed.filter((name) => /^reconcile\/|^collect\/stale-facts$|^policy\/idcard-not-enforced$/.test(name)),
    ).toEqual([])
    expect(passed).toContain('placement/nw-terminal-in-shared-zone')
  })

  it('SARIF carries a notification at the line declaring the terminal', async () => {
    const r = await audit('--format', 'sarif')
    const notes = JSON.parse(r.stdout).runs[0].invocations[0].toolExecutionNotifications
    const note = notes.find((n: {properties: {terminal: string}}) => n.properties.terminal === 'HC-RT-020')
    expect(note.message.text).toMatch(/^HC-RT-020: \d+ facts rules not evaluated \(refused: connection refused\): /)
    expect(note.locations[0].physicalLocation.region).toEqual({startLine: 44, startColumn: 5})
  })

  it('Markdown and the table list it as not checked; with --fail-on critical the Markdown title is not "Passed"', async () => {
    const md = await audit('--format', 'markdown', '--fail-on', 'critical', '--lang', 'en')
    expect(md.stdout).toMatch(/^## fleet-audit: audit: ❌ Failed/)
    expect(md.stdout).toMatch(
      /### Not checked\n\n\| Terminal \| Why \| Rules not evaluated \|\n\| --- \| --- \| --- \|\n(\|.*\n)*\| `HC-RT-020` \| refused: connection refused \| \d+ \|/,
    )
    const table = await audit('--format', 'table')
    expect(table.stdout).toMatch(
      /Not checked: 2 terminals whose facts rules could not be evaluated\n {2}HC-RT-020 {2}refused: connection refused \(\d+ rules\)/,
    )
    const ja = await audit('--format', 'table', '--lang', 'ja')
    expect(ja.stdout).toContain('未確認: 実機情報のルールを評価できなかった端末 2 台')
  })

  it('a run with nothing failing but something not checked is not titled "Passed"', async () => {
    // Only HC-RT-020 refused, no incidents: a clean fleet except for what could not be checked.
    const inv = join(tmp.dir, 'one-site')
    mkdirSync(inv)
    cpSync(join(ROOT, EXAMPLE, 'fleet.yaml'), join(inv, 'fleet.yaml'))
    writeFileSync(
      join(inv, 'site.yaml'),
      [
        'sites:',
        '  - id: hachinohe',
        '    name: 八戸営業所',
        '    subnets: [10.20.0.0/16]',
        '    zones:',
        '      - {id: hc-retail-office, name: 小売事務室, kind: office, access: [tohoku-epco]}',
        'terminals:',
        '  - {id: HC-RT-020, hostname: hc-rt-020, address: 10.20.3.20, site: hachinohe, zone: hc-retail-office, owner: tohoku-epco, role: retail}',
        '',
      ].join('\n'),
    )
    const md = await run([
      'audit',
      '-i',
      inv,
      '--facts',
      facts,
      '--now',
      EXAMPLE_NOW,
      '--format',
      'markdown',
      '--fail-on',
      'critical',
    ])
    expect(md.code).toBe(0)
    expect(md.stdout).toMatch(/^## fleet-audit: audit: ⚠️ No failing findings, but not everything was checked/)
    expect(md.stdout).not.toContain('✅')
  })
})

describe('a rule whose condition cannot be evaluated', () => {
  it('is a JUnit error at or above --fail-on and skipped below it, never a passing test case', async () => {
    const rules = join(tmp.dir, 'broken-rules')
    mkdirSync(rules)
    const rule = (id: string, severity: string) => [
      `  - id: broken/${id}`,
      `    severity: ${severity}`,
      '    needs: inventory',
      '    title: {en: Broken, ja: 壊れたルール}',
      '    rationale: {en: A test., ja: テスト。}',
      '    remediation: {en: None., ja: なし。}',
      '    message: {en: never, ja: never}',
      // `terminal` has no key "nosuch": a run-time error for every terminal.
      "    when: terminal.nosuch == 'x'",
    ]
    writeFileSync(
      join(rules, 'broken.yaml'),
      ['pack: broken', 'rules:', ...rule('high', 'high'), ...rule('low', 'low'), ''].join('\n'),
    )
    const r = await run([
      'inventory',
      'validate',
      '-i',
      EXAMPLE,
      '--rules',
      rules,
      '--now',
      EXAMPLE_NOW,
      '--format',
      'junit',
    ])
    expect(r.code).toBe(1)
    const doc = parseJunit(r.stdout)
    const cases = casesOf(doc).filter((c) => c.classname === 'HC-RT-020')
    const high = cases.find((c) => c.name === 'broken/high')!
    const low = cases.find((c) => c.name === 'broken/low')!
    expect(high.error?.message).toMatch(/^rule could not be evaluated: /)
    expect(low.skipped?.message).toMatch(/^rule could not be evaluated: /)
    expect(Number(doc.testsuites.errors)).toBeGreaterThan(0)
  })
})
