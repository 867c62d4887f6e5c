import type {Finding} from '../model/types.js'
import {type FailOn, isFailing} from '../model/result.js'

/**
 * Exit codes are a contract: 0 nothing at or above --fail-on (or everything verified), 1 findings at or above it (or
 * something not verified), 2 unusable input, 3 an internal error.
 */
export const EXIT = {ok: 0, findings: 1, input: 2, internal: 3} as const

/** What a command's result says, as far as its exit code is concerned. */
export type Verdict =
  /** audit, inventory validate, inventory diff, logs analyze, evidence create: findings against --fail-on. */
  | {kind: 'findings'; findings: readonly Pick<Finding, 'severity' | 'waiver'>[]; failOn: FailOn}
  /** check: every line passed (a NOT CHECKED line is not a pass). */
  | {kind: 'check'; pass: boolean}
  /** collect: terminals selected and terminals whose facts were collected and valid. */
  | {kind: 'collect'; total: number; ok: number}
  /** ledger recheck: the acknowledgement state of each re-checked event. */
  | {kind: 'recheck'; states: readonly string[]}
  /** ledger verify, evidence verify: every check held. */
  | {kind: 'verified'; ok: boolean}

/**
 * The exit code of every command that produced a result; computed here once, never by a reporter or a command.
 * Fail closed: anything short of all-clear is 1.
 */
export function exitCodeOf(verdict: Verdict): 0 | 1 {
  switch (verdict.kind) {
    case 'findings':
      return verdict.findings.some((f) => isFailing(f, verdict.failOn)) ? EXIT.findings : EXIT.ok
    case 'check':
      return verdict.pass ? EXIT.ok : EXIT.findings
    case 'collect':
      return verdict.ok === verdict.total ? EXIT.ok : EXIT.findings
    case 'recheck':
      return verdict.states.every((s) => s === 'verified') ? EXIT.ok : EXIT.findings
    case 'verified':
      return verdict.ok ? EXIT.ok : EXIT.findings
  }
}

/** The exit code for a result with findings (audit, validate, diff, logs). */
export function exitCodeFor(
  result: {findings: readonly Pick<Finding, 'severity' | 'waiver'>[]},
  failOn: FailOn,
): 0 | 1 {
  return exitCodeOf({kind: 'findings', findings: result.findings, failOn})
}
