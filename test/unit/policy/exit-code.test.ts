import {FAIL_ON_CHOICES, type FailOn, isFailing} from '../../../src/model/result.js'
import {describe, expect, it} from 'vitest'

import {EXIT, exitCodeFor, exitCodeOf, type Verdict} from '../../../src/policy/exit-code.js'
import {type Severity, SEVERITIES} from '../../../src/model/types.js'

const WAIVER = {id: 'W-1', expires: '2026-12-31', approver: 'p'}

/** Expected isFailing(severity, failOn) for an unwaived finding, written out by hand rather than computed. */
const TABLE: Record<Severity, Record<FailOn, boolean>> = {
  critical: {critical: true, high: true, medium: true, low: true, info: true, none: false},
  high: {critical: false, high: true, medium: true, low: true, info: true, none: false},
  medium: {critical: false, high: false, medium: true, low: true, info: true, none: false},
  low: {critical: false, high: false, medium: false, low: true, info: true, none: false},
  info: {critical: false, high: false, medium: false, low: false, info: true, none: false},
}

describe('isFailing', () => {
  it('offers every severity and none as --fail-on', () => {
    expect([...FAIL_ON_CHOICES]).toEqual(['critical', 'high', 'medium', 'low', 'info', 'none'])
  })

  for (const severity of SEVERITIES) {
    for (const failOn of FAIL_ON_CHOICES) {
      const want = TABLE[severity][failOn]
      it(`${severity} finding with --fail-on ${failOn} ${want ? 'fails' : 'passes'}`, () => {
        expect(isFailing({severity}, failOn)).toBe(want)
      })
      it(`waived ${severity} finding with --fail-on ${failOn} never fails`, () => {
        expect(isFailing({severity, waiver: WAIVER}, failOn)).toBe(false)
      })
    }
  }
})

describe('exitCodeFor', () => {
  it('uses the documented codes', () => {
    expect(EXIT).toEqual({ok: 0, findings: 1, input: 2, internal: 3})
  })

  it('is 0 without findings, whatever the threshold', () => {
    for (const failOn of FAIL_ON_CHOICES) expect(exitCodeFor({findings: []}, failOn)).toBe(0)
  })

  for (const severity of SEVERITIES) {
    for (const failOn of FAIL_ON_CHOICES) {
      const want = TABLE[severity][failOn] ? 1 : 0
      it(`one ${severity} finding, --fail-on ${failOn} -> ${want}`, () => {
        expect(exitCodeFor({findings: [{severity}]}, failOn)).toBe(want)
      })
    }
  }

  it('ignores waived findings even when they are critical', () => {
    const findings = [{severity: 'critical' as const, waiver: WAIVER}, {severity: 'low' as const}]
    expect(exitCodeFor({findings}, 'high')).toBe(0)
    expect(exitCodeFor({findings}, 'low')).toBe(1)
    expect(exitCodeFor({findings}, 'none')).toBe(0)
  })

  it('fails when any one of many findings is at or above the threshold', () => {
    const findings = [{severity: 'info' as const}, {severity: 'low' as const}, {severity: 'medium' as const}]
    expect(exitCodeFor({findings}, 'high')).toBe(0)
    expect(exitCodeFor({findings}, 'medium')).toBe(1)
  })
})

describe('exitCodeOf: one policy for every command', () => {
  it.each([
    [{kind: 'check', pass: true}, 0],
    [{kind: 'check', pass: false}, 1],
    [{kind: 'collect', total: 3, ok: 3}, 0],
    [{kind: 'collect', total: 3, ok: 2}, 1],
    [{kind: 'recheck', states: ['verified', 'verified']}, 0],
    [{kind: 'recheck', states: ['verified', 'pending']}, 1],
    [{kind: 'recheck', states: ['rejected']}, 1],
    [{kind: 'verified', ok: true}, 0],
    [{kind: 'verified', ok: false}, 1],
    [{kind: 'findings', findings: [{severity: 'low', waiver: undefined}], failOn: 'high'}, 0],
    [{kind: 'findings', findings: [{severity: 'critical', waiver: undefined}], failOn: 'high'}, 1],
  ] as [Verdict, number][])('%j → %i', (verdict, code) => {
    expect(exitCodeOf(verdict)).toBe(code)
  })
})
