/**
 * The bundled example, audited as the README does: each of the four seed incidents is caught by the rule meant for
 * it, and every correctly placed terminal raises nothing.
 */
import {type AuditResult} from '../../src/model/result.js'
import {beforeAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, run} from '../commands/helpers.js'

let result: AuditResult
let code: number | null

beforeAll(async () => {
  const r = await run(['audit', '--inventory', EXAMPLE, '--facts', EXAMPLE_FACTS, '--now', EXAMPLE_NOW, '--json'])
  expect(r.stderr).toBe('')
  code = r.code
  result = JSON.parse(r.stdout)
})

/** `rule` or `rule (waived)` of one terminal's findings. */
function rulesOf(terminal: string): string[] {
  return result.findings.filter((f) => f.terminal === terminal).map((f) => `${f.rule}${f.waiver ? ' (waived)' : ''}`)
}

describe('tohoku-example audited at 2026-11-27', () => {
  it('exits 1', () => {
    expect(code).toBe(1)
    expect(result.kind).toBe('audit')
    expect(result.today).toBe('2026-11-27')
  })

  it('Hachinohe (2018): the two NW terminals at the counter shared by both companies', () => {
    for (const t of ['HC-NW-001', 'HC-NW-002']) {
      expect(rulesOf(t), t).toEqual(['placement/nw-terminal-in-shared-zone'])
      const f = result.findings.find((x) => x.terminal === t)!
      expect(f).toMatchObject({severity: 'critical', site: 'hachinohe', zone: 'hc-counter', actual: 'tohoku-epco'})
      expect(f.location.file).toMatch(/sites\/hachinohe\.yaml$/)
    }
  })

  it('Iwate-Sanriku and Sendai-Kita (2022): retail temp-staff PCs delivered with the NW setting', () => {
    for (const t of ['IS-RT-101', 'IS-RT-102', 'SK-RT-201']) {
      expect(rulesOf(t), t).toEqual(['reconcile/nw-setting-reachable-by-retail', 'reconcile/role-mismatch'])
      const mismatch = result.findings.find((x) => x.terminal === t && x.rule === 'reconcile/role-mismatch')!
      expect(mismatch).toMatchObject({expected: 'retail', actual: 'nw'})
    }
  })

  it("Customer-center training room (2017): NW terminals in a room used by both companies' contractors", () => {
    for (const t of ['CC-NW-301', 'CC-NW-302']) {
      expect(rulesOf(t), t).toEqual(['placement/nw-terminal-in-shared-zone'])
      expect(result.findings.find((x) => x.terminal === t)!.actual).toBe('tohoku-it-retail, retail-contractor-b')
    }
  })

  it('Customer-center disaster reception under an expired waiver: the finding is back and the waiver is reported', () => {
    expect(rulesOf('CC-DR-310')).toEqual(['placement/nw-terminal-in-shared-zone', 'waiver/expired'])
    const expired = result.findings.find((x) => x.terminal === 'CC-DR-310' && x.rule === 'waiver/expired')!
    expect(expired.message.en).toBe('waiver W-2026-003 for placement/nw-terminal-in-shared-zone expired on 2026-09-28')
    expect(expired.location.file).toMatch(/waivers\.yaml$/)
  })

  it('Customer-center disaster reception under a valid NW-approved waiver: waived, not failing', () => {
    expect(rulesOf('CC-DR-311')).toEqual(['placement/nw-terminal-in-shared-zone (waived)'])
    expect(result.findings.find((x) => x.terminal === 'CC-DR-311')!.waiver).toEqual({
      id: 'W-2026-011',
      expires: '2026-12-25',
      approver: 'nw-suzuki',
    })
  })

  it.each([
    'HC-NW-010',
    'HC-RT-020',
    'IS-RT-103',
    'IS-NW-110',
    'SK-RT-202',
    'CC-NW-320',
    'CC-RT-330',
    'IS-RT-104',
    'HC-NW-003',
  ])('correctly placed %s raises nothing', (t) => {
    expect(rulesOf(t)).toEqual([])
  })

  it('nothing else: every finding belongs to an incident terminal', () => {
    const incident = new Set([
      'HC-NW-001',
      'HC-NW-002',
      'IS-RT-101',
      'IS-RT-102',
      'SK-RT-201',
      'CC-NW-301',
      'CC-NW-302',
      'CC-DR-310',
      'CC-DR-311',
    ])
    expect(result.findings.filter((f) => !incident.has(f.terminal))).toEqual([])
    expect(result.summary).toEqual({
      total: 13,
      failing: 12,
      waived: 1,
      by_severity: {critical: 8, high: 4, medium: 0, low: 0, info: 0},
    })
    expect(result.facts).toMatchObject({documents: 16, invalid: 0})
  })

  it('findings are sorted by terminal, then rule', () => {
    const keys = result.findings.map((f) => `${f.terminal} ${f.rule}`)
    expect(keys).toEqual([...keys].sort())
  })
})

describe('tohoku-example, other days', () => {
  it('after the valid waiver expires, CC-DR-311 fails too', async () => {
    const r = await run(['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS, '--now', '2026-12-26', '--json'])
    const later: AuditResult = JSON.parse(r.stdout)
    const f = later.findings
      .filter((x) => x.terminal === 'CC-DR-311')
      .map((x) => `${x.rule}${x.waiver ? ' (waived)' : ''}`)
    // the facts are a month old by then, too
    expect(f).toEqual(['collect/stale-facts', 'placement/nw-terminal-in-shared-zone', 'waiver/expired'])
    expect(r.code).toBe(1)
  })
})
