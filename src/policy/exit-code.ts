import type {Finding} from '../model/types.js'
import {type FailOn, isFailing} from '../model/result.js'

/** Exit codes are a contract: 0 nothing at or above --fail-on, 1 findings at or above it, 2 unusable input. */
export const EXIT = {ok: 0, findings: 1, input: 2} as const

/** The exit code for a result; computed once, from the findings, never by a reporter. */
export function exitCodeFor(result: {findings: readonly Pick<Finding, 'severity' | 'waiver'>[]}, failOn: FailOn): 0 | 1 {
  return result.findings.some((f) => isFailing(f, failOn)) ? EXIT.findings : EXIT.ok
}
