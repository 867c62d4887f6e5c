/**
 * What a run produces, as every reporter and the exit policy read it. The model imports nothing outside the model.
 */
import type {Finding, Localized, Severity, SourcePosition} from './types.js'
import {SEVERITIES} from './types.js'
import type {LogReviewSummary} from './logs.js'

/** What a rule needs to run: the inventory alone, collected facts, the hand-off ledger, or access logs. */
export type Needs = 'inventory' | 'facts' | 'ledger' | 'logs'

/** `--fail-on`: the lowest severity that fails the run, or `none` to only report. */
export type FailOn = Severity | 'none'
export const FAIL_ON_CHOICES: readonly FailOn[] = [...SEVERITIES, 'none']

/** True when a finding counts toward failing: not waived, and at or above the threshold. */
export function isFailing(f: Pick<Finding, 'severity' | 'waiver'>, failOn: FailOn): boolean {
  if (failOn === 'none' || f.waiver) return false
  return SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(failOn)
}

/** The reason given for terminals a live run did not select; reports count them in one line. */
export const NOT_COLLECTED = 'not collected in this run'

/** The facts rules that could not be evaluated for one terminal, and why. */
export interface NotEvaluated {
  terminal: string
  status: string
  /** Why the terminal's facts could not be used: missing, invalid, an outcome other than ok, not collected. */
  reason: string
  /** Rule ids, sorted. */
  rules: string[]
  location: SourcePosition
}

/** A rule as reports describe it. */
export interface RuleSummary {
  id: string
  severity: Severity
  needs: Needs
  barrier: boolean
  title: Localized
  rationale: Localized
  remediation: Localized
}

/** The whole result of a run; `--json` prints exactly this. */
export interface AuditResult {
  tool: {name: 'fleet-audit'; version: string}
  kind: 'audit' | 'validate' | 'logs'
  now: string
  today: string
  timezone: string
  fail_on: FailOn
  inventory: {
    root: string
    files: string[]
    terminals: number
    sites: Record<string, string>
    zones: Record<string, {name: string; kind: string}>
  }
  facts?: {dir: string; documents: number; invalid: number}
  summary: {total: number; failing: number; waived: number; by_severity: Record<Severity, number>}
  /** The history run this audit was stored as, when a ledger database was given. */
  run_id?: number
  /** What an access-log review read (`logs analyze`, `audit --logs`). */
  logs?: LogReviewSummary
  rules: RuleSummary[]
  /** Every declared terminal, so that formats with one test per terminal (JUnit) can list the passing ones. */
  terminals: {id: string; site: string; zone: string; status: string}[]
  /** Every waiver and whether it hides anything today. */
  waivers: {
    id: string
    rule: string
    terminals: string[]
    approver: string
    approved: string
    expires: string
    applies: boolean
  }[]
  findings: Finding[]
  /**
   * Terminals whose facts rules could not be evaluated (facts missing, invalid or failed, or not collected in this
   * live run), with the rules: never to be read as passed. Empty when validating (no facts rules run).
   */
  not_evaluated: NotEvaluated[]
}
