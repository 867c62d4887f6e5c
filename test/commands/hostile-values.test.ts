/**
 * Hostile values inside well-formed files, through the compiled CLI (issue 8, items 13, 14 and 15): facts documents
 * with duplicate keys, deep nesting or a time in the future are a finding for their terminal (never "last key wins",
 * never exit 3); subnets and addresses are validated by the code that evaluates them (exit 2 at line:column); a CEL
 * condition that exceeds the evaluation budget is "rule could not be evaluated" and the run finishes.
 */
import {cpSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, ROOT, run, STACK_LINE, tempDir} from './helpers.js'

const tmp = tempDir('fa-values-')
afterAll(() => tmp.remove())
const base = ['--now', EXAMPLE_NOW]

type Finding = {terminal: string; rule: string; message: {en: string}; unevaluated?: boolean}

/** A copy of the example's facts with one document rewritten. */
function factsWith(name: string, terminal: string, edit: (text: string) => string): string {
  const dir = join(tmp.dir, name)
  cpSync(join(ROOT, EXAMPLE_FACTS), dir, {recursive: true})
  const file = join(dir, `${terminal}.json`)
  writeFileSync(file, edit(readFileSync(file, 'utf8')))
  return dir
}

async function auditJson(
  facts: string,
  ...extra: string[]
): Promise<{code: number | null; findings: Finding[]; stderr: string}> {
  const r = await run(['audit', '-i', EXAMPLE, '--facts', facts, '--format', 'json', ...base, ...extra])
  expect(r.stderr).not.toMatch(STACK_LINE)
  return {code: r.code, findings: r.stdout ? JSON.parse(r.stdout).findings : [], stderr: r.stderr}
}

const of = (findings: Finding[], terminal: string) => findings.filter((f) => f.terminal === terminal)

describe('facts documents (item 13)', () => {
  it('a duplicate key is invalid for that terminal, never "last key wins"', async () => {
    // The first "role" says nw, the last says retail: JSON.parse alone would read retail and pass the terminal.
    const facts = factsWith('dup-key', 'HC-RT-020', (t) =>
      t.replace('"role": "retail",', '"role": "nw",\n    "role": "retail",'),
    )
    const r = await auditJson(facts)
    expect(r.code).toBe(1)
    const mine = of(r.findings, 'HC-RT-020')
    expect(mine.map((f) => f.rule)).toEqual(['collect/unverified'])
    expect(mine[0].message.en).toMatch(/HC-RT-020\.json: invalid JSON: duplicate key "role" at line 9, column 5/)
  })

  it('a document nested deeper than the limit is a finding, also when the run is stored in a ledger (never exit 3)', async () => {
    const deep = `{"x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`
    const facts = factsWith('deep', 'HC-RT-020', (t) => t.replace(/"meta": \{[^}]*\}/, `"meta": ${deep}`))
    const r = await auditJson(facts, '--db', join(tmp.dir, 'deep.db'))
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).not.toMatch(/internal error/)
    // With a ledger, ledger rules run too; the facts document itself is what must be refused.
    const mine = of(r.findings, 'HC-RT-020').filter((f) => f.rule.startsWith('collect/'))
    expect(mine.map((f) => f.rule)).toEqual(['collect/unverified'])
    expect(mine[0].message.en).toMatch(/invalid JSON: nested deeper than 32 levels at line \d+, column \d+/)
  })

  it('facts collected an hour after "now" are a finding, even on the same day', async () => {
    // --now 2026-11-27 is 12:00 UTC; 22:00 in Tokyo is 13:00 UTC the same day, so day-based staleness saw nothing.
    const facts = factsWith('future', 'HC-RT-020', (t) =>
      t.replace('2026-11-26T10:00:00+09:00', '2026-11-27T22:00:00+09:00'),
    )
    const mine = of((await auditJson(facts)).findings, 'HC-RT-020')
    expect(mine.map((f) => f.rule)).toEqual(['collect/unverified'])
    expect(mine[0].message.en).toMatch(
      /collected_at 2026-11-27T22:00:00\+09:00 is later than now \(2026-11-27T12:00:00\.000Z\) by more than the 5-minute clock-skew allowance/,
    )
  })

  it('facts a few minutes ahead, within the clock-skew allowance, are accepted', async () => {
    const facts = factsWith('skew', 'HC-RT-020', (t) =>
      t.replace('2026-11-26T10:00:00+09:00', '2026-11-27T21:03:00+09:00'),
    )
    expect(of((await auditJson(facts)).findings, 'HC-RT-020')).toEqual([])
  })
})

describe('subnets and addresses (item 14)', () => {
  /** The example with one line of hachinohe.yaml replaced; returns the folder and the line number. */
  function inventoryWith(name: string, from: RegExp, to: string): {dir: string; line: number} {
    const dir = join(tmp.dir, name)
    cpSync(join(ROOT, EXAMPLE), dir, {recursive: true})
    const file = join(dir, 'sites', 'hachinohe.yaml')
    const text = readFileSync(file, 'utf8')
    expect(text).toMatch(from)
    const edited = text.replace(from, to)
    writeFileSync(file, edited)
    return {dir, line: edited.split('\n').findIndex((l) => l.includes(to.trim().split(' ').at(-1)!)) + 1}
  }

  it.each([
    ['an IPv6 subnet that is not an address', ':::::/64', 'subnets[0]: is not a valid cidr'],
    ['an IPv4 subnet with a leading zero', '10.031.0.0/16', 'subnets[0]: is not a valid cidr'],
    ['a prefix longer than the address', '10.20.0.0/33', 'subnets[0]: is not a valid cidr'],
  ])('%s is exit 2 at its line and column', async (_, cidr, message) => {
    const {dir, line} = inventoryWith(
      `cidr-${cidr.replaceAll(/\W/g, '_')}`,
      /subnets: \[192\.0\.2\.0\/25, 2001:db8:20::\/48\]/,
      `subnets: ["${cidr}"]`,
    )
    const r = await run(['inventory', 'validate', '-i', dir, ...base])
    expect(r.code, r.stdout).toBe(2)
    expect(r.stderr).toMatch(
      new RegExp(`hachinohe\\.yaml:${line}:15 sites\\[0\\]\\.${message.replace(/[[\]]/g, '\\$&')}`),
    )
  })

  it.each([
    ['a dotted host that is not an IPv4 address', '10.031.1.11'],
    ['brackets that hold no IPv6 address', '"[:::::]:22"'],
    ['a port out of range', '10.20.1.11:70000'],
  ])('a terminal address with %s is exit 2 at its line and column', async (_, address) => {
    const {dir, line} = inventoryWith(
      `addr-${address.replaceAll(/\W/g, '_')}`,
      /address: 192\.0\.2\.11\n/,
      `address: ${address}\n`,
    )
    const r = await run(['inventory', 'validate', '-i', dir, ...base])
    expect(r.code, r.stdout).toBe(2)
    expect(r.stderr).toMatch(
      new RegExp(`hachinohe\\.yaml:${line}:14 terminals\\[0\\]\\.address: is not a valid address`),
    )
  })

  it('a collected IP that is not an address makes the facts invalid, checked by the same parser', async () => {
    const facts = factsWith('bad-ip', 'HC-RT-020', (t) => t.replace('"192.0.2.20"', '"192.000.2.20"'))
    const mine = of((await auditJson(facts)).findings, 'HC-RT-020')
    expect(mine.map((f) => f.rule)).toEqual(['collect/unverified'])
    expect(mine[0].message.en).toMatch(/client\.ips\[0\] must match format "ip"/)
  })
})

describe('the cost of a CEL condition is bounded (item 15)', () => {
  it('a condition that would run for hours is "rule could not be evaluated" for each terminal, and the run finishes', async () => {
    const rules = join(tmp.dir, 'costly-rules')
    mkdirSync(rules)
    const list = `[${Array.from({length: 200}, (_, i) => i).join(', ')}]`
    // 200^4 = 1.6 billion iterations without a bound.
    const when = `${list}.exists(a, ${list}.exists(b, ${list}.exists(c, ${list}.exists(d, a + b + c + d < 0))))`
    writeFileSync(
      join(rules, 'costly.yaml'),
      [
        'pack: costly',
        'rules:',
        '  - id: costly/quadruple-loop',
        '    severity: high',
        '    needs: inventory',
        '    title: {en: Costly, ja: 高コスト}',
        '    rationale: {en: A test of the evaluation budget., ja: 評価上限の確認。}',
        '    remediation: {en: None., ja: なし。}',
        '    message: {en: never, ja: never}',
        `    when: "${when}"`,
        '',
      ].join('\n'),
    )
    const r = await run(['inventory', 'validate', '-i', EXAMPLE, '--rules', rules, '--format', 'json', ...base], {
      timeout: 120_000,
    })
    expect(r.code, r.stderr).toBe(1)
    const findings = (JSON.parse(r.stdout).findings as Finding[]).filter((f) => f.rule === 'costly/quadruple-loop')
    expect(findings.length).toBe(JSON.parse(r.stdout).inventory.terminals)
    for (const f of findings) {
      expect(f.message.en).toBe(
        'rule could not be evaluated: the expression exceeded the evaluation budget of 100,000 steps',
      )
      expect(f.unevaluated).toBe(true)
    }

    // The other rules still ran.
    expect(JSON.parse(r.stdout).findings.some((f: Finding) => f.rule === 'placement/nw-terminal-in-shared-zone')).toBe(
      true,
    )
  }, 180_000)
})
