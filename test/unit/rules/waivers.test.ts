import {afterAll, describe, expect, it} from 'vitest'

import {exitCodeFor} from '../../../src/policy/exit-code.js'
import {audit, baseInventory, cleanup, hits, type Json, terminal} from '../scenario.js'

afterAll(cleanup)

/** T-NW at the shared counter (a critical barrier finding), excused by one waiver. */
function waived(w: Partial<Json>): Json {
  const inv = baseInventory()
  terminal(inv, 'T-NW').zone = 'z-shared'
  inv.waivers = [
    {
      id: 'W-1',
      rule: 'placement/nw-terminal-in-shared-zone',
      terminals: ['T-NW'],
      reason: 'disaster reception',
      approver: 'p-nw',
      approved: '2026-11-01',
      expires: '2026-12-31',
      ...w,
    },
  ]
  return inv
}

describe('waivers', () => {
  it('a valid NW-approved waiver hides the finding: waived, not failing', async () => {
    const result = await audit(waived({}))
    expect(hits(result)).toEqual(['T-NW placement/nw-terminal-in-shared-zone (waived)'])
    expect(result.findings[0].waiver).toEqual({id: 'W-1', expires: '2026-12-31', approver: 'p-nw'})
    expect(result.summary).toMatchObject({total: 1, failing: 0, waived: 1})
    expect(result.summary.by_severity.critical).toBe(0)
    expect(exitCodeFor(result, 'info')).toBe(0)
  })

  it('an NW contractor may approve too (its company is on the NW side)', async () => {
    expect(hits(await audit(waived({approver: 'p-nwc'})))).toEqual([
      'T-NW placement/nw-terminal-in-shared-zone (waived)',
    ])
  })

  it('applies through its last day (inclusive), in the policy time zone', async () => {
    const inv = waived({expires: '2026-11-27'})
    expect(hits(await audit(inv, {now: '2026-11-27T14:59:59Z'}))).toEqual([
      'T-NW placement/nw-terminal-in-shared-zone (waived)',
    ])
  })

  it('waiver/expired: the day after expiry (Tokyo), the finding shows again and the waiver is a finding itself', async () => {
    const inv = waived({expires: '2026-11-27'})
    const result = await audit(inv, {now: '2026-11-27T15:00:00Z'})
    expect(hits(result)).toEqual(['T-NW placement/nw-terminal-in-shared-zone', 'T-NW waiver/expired'])
    const expired = result.findings[1]
    expect(expired).toMatchObject({
      severity: 'high',
      expected: 'valid through 2026-11-28',
      actual: 'expired 2026-11-27',
      message: {en: 'waiver W-1 for placement/nw-terminal-in-shared-zone expired on 2026-11-27'},
    })
    expect(expired.location.line).toBeGreaterThan(result.findings[0].location.line) // at the waiver, declared after the terminals
    expect(exitCodeFor(result, 'high')).toBe(1)
  })

  it('waiver/too-long: longer than max_waiver_days hides nothing', async () => {
    const result = await audit(waived({approved: '2026-11-01', expires: '2027-02-01'})) // 92 days > 90
    expect(hits(result)).toEqual(['T-NW placement/nw-terminal-in-shared-zone', 'T-NW waiver/too-long'])
    expect(result.findings[1]).toMatchObject({expected: '<= 90 days', actual: '92 days'})
  })

  it('not waiver/too-long: exactly max_waiver_days', async () => {
    expect(hits(await audit(waived({approved: '2026-11-01', expires: '2027-01-30'})))).toEqual([
      'T-NW placement/nw-terminal-in-shared-zone (waived)',
    ])
  })

  it('waiver/approver-not-nw: a retail-approved waiver of a barrier rule does not hide the finding', async () => {
    const result = await audit(waived({approver: 'p-ep'}))
    expect(hits(result)).toEqual(['T-NW placement/nw-terminal-in-shared-zone', 'T-NW waiver/approver-not-nw'])
    expect(result.findings[0].waiver).toBeUndefined()
    expect(result.findings[1].actual).toBe('p-ep (ep, retail)')
    expect(exitCodeFor(result, 'critical')).toBe(1)
  })

  it('waiver/approver-not-nw: the retail side cannot excuse its own terminal even from a rule that does not guard the barrier', async () => {
    const inv = baseInventory()
    terminal(inv, 'T-RT').address = '10.9.0.20'
    inv.waivers = [
      {
        id: 'W-2',
        rule: 'placement/declared-address-outside-site',
        terminals: ['T-RT'],
        reason: 'moving',
        approver: 'p-ep',
        approved: '2026-11-01',
        expires: '2026-12-31',
      },
    ]
    expect(hits(await audit(inv))).toEqual([
      'T-RT placement/declared-address-outside-site',
      'T-RT waiver/approver-not-nw',
    ])
  })

  it('an NW approver may excuse a rule that does not guard the barrier on a retail terminal', async () => {
    const inv = baseInventory()
    terminal(inv, 'T-RT').address = '10.9.0.20'
    inv.waivers = [
      {
        id: 'W-2',
        rule: 'placement/declared-address-outside-site',
        terminals: ['T-RT'],
        reason: 'moving',
        approver: 'p-nw',
        approved: '2026-11-01',
        expires: '2026-12-31',
      },
    ]
    expect(hits(await audit(inv))).toEqual(['T-RT placement/declared-address-outside-site (waived)'])
  })

  it('a waiver for one terminal does not hide the same rule on another', async () => {
    const inv = waived({})
    terminal(inv, 'T-RT').role = 'nw'
    terminal(inv, 'T-RT').owner = 'nw'
    const result = await audit(inv)
    expect(hits(result)).toEqual([
      'T-NW placement/nw-terminal-in-shared-zone (waived)',
      'T-RT placement/nw-terminal-in-shared-zone',
    ])
  })

  it('a waiver never hides a waiver finding, and several defects are each reported', async () => {
    const result = await audit(waived({approver: 'p-ep', approved: '2026-01-01', expires: '2026-11-01'}))
    expect(hits(result)).toEqual([
      'T-NW placement/nw-terminal-in-shared-zone',
      'T-NW waiver/approver-not-nw',
      'T-NW waiver/expired',
      'T-NW waiver/too-long',
    ])
  })

  it('a waiver for an unknown rule is an input error', async () => {
    await expect(audit(waived({rule: 'placement/no-such-rule'}))).rejects.toThrow(
      /waiver "W-1": unknown rule "placement\/no-such-rule"/,
    )
  })

  it('a waiver approved in the future does not apply yet', async () => {
    expect(hits(await audit(waived({approved: '2026-12-01', expires: '2026-12-31'})))).toEqual([
      'T-NW placement/nw-terminal-in-shared-zone',
    ])
  })
})
