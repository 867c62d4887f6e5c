import type {Finding, Severity} from '../model/types.js'
import {SEVERITIES} from '../model/types.js'

/** `--fail-on`: the lowest severity that fails the run, or `none` to only report. */
export type FailOn = Severity | 'none'
export const FAIL_ON_CHOICES: readonly FailOn[] = [...SEVERITIES, 'none']

/** Exit codes are a contract: 0 nothing at or above --fail-on, 1 findings at or above it, 2 unusable input. */
export const EXIT = {ok: 0, findings: 1, input: 2} as const

/** True when a finding counts toward failing: not waived, and at or above the threshold. */
export function isFailing(f: Pick<Finding, 'severity' | 'waiver'>, failOn: FailOn): boolean {
  if (failOn === 'none' || f.waiver) return false
  return SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(failOn)
}

/** The exit code for a result; computed once, from the findings, never by a reporter. */
export function exitCodeFor(result: {findings: readonly Pick<Finding, 'severity' | 'waiver'>[]}, failOn: FailOn): 0 | 1 {
  return result.findings.some((f) => isFailing(f, failOn)) ? EXIT.findings : EXIT.ok
}
