import {afterAll, describe, expect, it} from 'vitest'

import {FORMATS, reporters} from '../../../src/report/index.js'
import {allOk, audit, baseInventory, cleanup, okFacts, terminal} from '../scenario.js'

afterAll(cleanup)

const EVIL = 'evil\u001b[2J\u001b]0;pwned\u0007\u202Egnp.exe'

async function evilResult() {
  const inv = baseInventory()
  terminal(inv, 'T-NW').zone = 'z-shared'
  const facts = {...allOk(inv), 'T-RT': okFacts(inv, 'T-RT', {os: {...okFacts(inv, 'T-RT').os, hostname: EVIL}})}
  return audit(inv, {facts})
}

describe('reporters', () => {
  it('are registered under their own names', () => {
    expect(FORMATS).toEqual(expect.arrayContaining(['table', 'json', 'sarif']))
    for (const f of FORMATS) expect(reporters[f].name).toBe(f)
  })

  it('table escapes control characters and bidi overrides from facts; JSON keeps the value', async () => {
    const result = await evilResult()
    const hostname = result.findings.find((f) => f.rule === 'reconcile/hostname-mismatch')!
    expect(hostname.actual).toBe(EVIL)
    const table = reporters.table.render(result, {lang: 'en', color: false, cwd: process.cwd()})
    expect(table).not.toMatch(/[\u001b\u0007\u202E]/)
    expect(table).toContain('evil\\u001b[2J\\u001b]0;pwned\\u0007\\u202egnp.exe')
    const json = JSON.parse(reporters.json.render(result, {lang: 'en', color: false, cwd: process.cwd()}))
    expect(json.findings.find((f: {rule: string}) => f.rule === 'reconcile/hostname-mismatch').actual).toBe(EVIL)
  })

  it('table without colour has no escape sequences at all, groups by site and zone, and ends with the summary', async () => {
    const result = await evilResult()
    const table = reporters.table.render(result, {lang: 'en', color: false, cwd: process.cwd()})
    expect(table).not.toContain('\u001b')
    expect(table).toContain('Site One / Counter (counter)')
    expect(table).toContain('Site One / Retail office (office)')
    expect(table.trimEnd().split('\n').at(-1)).toBe(
      '2 findings (1 critical, 1 high), 0 waived; 2 failing (--fail-on high)',
    )
  })

  it('table with colour paints, and speaks Japanese', async () => {
    const result = await evilResult()
    const table = reporters.table.render(result, {lang: 'ja', color: true, cwd: process.cwd()})
    expect(table).toContain('\u001b[')
    expect(table).toContain('重大度')
    expect(table).not.toContain('\u001b[2J')
  })

  it('table says so when there are no findings', async () => {
    const inv = baseInventory()
    const table = reporters.table.render(await audit(inv, {facts: allOk(inv)}), {
      lang: 'en',
      color: false,
      cwd: process.cwd(),
    })
    expect(table).toBe('No findings.\n\n0 findings, 0 waived; 0 failing (--fail-on high)\n')
  })

  it('aligns wide (Japanese) characters: every line of a table has the same display width', async () => {
    const inv = baseInventory()
    inv.sites[0].zones[1].name = '共用カウンター'
    terminal(inv, 'T-NW').zone = 'z-shared'
    const table = reporters.table.render(await audit(inv, {facts: allOk(inv)}), {
      lang: 'ja',
      color: false,
      cwd: process.cwd(),
    })
    const width = (s: string) =>
      [...s].reduce(
        (n, ch) =>
          n +
          (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
            ? 2
            : 1),
        0,
      )
    const rows = table.split('\n').filter((l) => /^[┌│├└]/.test(l))
    expect(rows.length).toBeGreaterThan(3)
    expect(new Set(rows.map((r) => width(r))).size).toBe(1)
  })

  it('table puts findings of undeclared terminals in their own group', async () => {
    const inv = baseInventory()
    const ghost = {...okFacts(inv, 'T-NW'), terminal: 'GHOST-1'}
    const table = reporters.table.render(await audit(inv, {facts: {...allOk(inv), 'GHOST-1': ghost}}), {
      lang: 'en',
      color: false,
      cwd: process.cwd(),
    })
    expect(table).toMatch(/^\(undeclared\)$/m)
    expect(table).toMatch(/│ high +│ GHOST-1 +│ collect\/undeclared-terminal +│/)
  })
})

describe('table of many findings in one place', () => {
  it('is several tables of at most 500 rows, each with its header, every finding in order', async () => {
    const result = await audit(baseInventory(), {facts: allOk(baseInventory())})
    const n = 1_234
    result.findings = Array.from({length: n}, (_, i) => ({
      ...result.findings[0],
      severity: 'high' as const,
      terminal: `T-${String(i).padStart(4, '0')}`,
      rule: 'logs/undeclared-terminal',
      message: {en: `terminal T-${i} used, not declared`, ja: `未登録の端末 T-${i}`},
      site: undefined,
      zone: undefined,
      waiver: undefined,
    }))
    const table = reporters.table.render(result, {lang: 'en', color: false, cwd: process.cwd(), width: 160})
    const rows = table.split('\n').filter((l) => /│ high/.test(l))
    expect(rows.map((l) => /T-\d{4}/.exec(l)![0])).toEqual(result.findings.map((f) => f.terminal))
    expect(table.split('\n').filter((l) => /│ severity/.test(l))).toHaveLength(Math.ceil(n / 500))
  })
})
