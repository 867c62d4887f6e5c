import {type AuditResult, type FailOn, isFailing, type RuleSummary} from '../model/result.js'
import type {Finding, Inventory, Severity} from '../model/types.js'
import {SEVERITIES} from '../model/types.js'
import type {Rule} from '../rules/types.js'
import {VERSION} from '../io/paths.js'
import {dayIn} from '../io/time.js'

/** What every result says first: the tool, the kind of run, "now", and the inventory it read (audit, validate, logs). */
export function resultHeader(
  inventory: Inventory,
  now: Date,
  failOn: FailOn,
  kind: AuditResult['kind'],
): Pick<AuditResult, 'tool' | 'kind' | 'now' | 'today' | 'timezone' | 'fail_on' | 'inventory'> {
  return {
    tool: {name: 'fleet-audit', version: VERSION},
    kind,
    now: now.toISOString(),
    today: dayIn(now, inventory.policy.timezone),
    timezone: inventory.policy.timezone,
    fail_on: failOn,
    inventory: {
      root: inventory.root,
      files: inventory.files,
      terminals: inventory.terminals.length,
      sites: Object.fromEntries(inventory.sites.map((x) => [x.id, x.name])),
      zones: Object.fromEntries(inventory.zones.map((z) => [z.id, {name: z.name, kind: z.kind}])),
    },
  }
}

/** A rule as a result lists it (no condition, no source position). */
export function ruleSummary({id, severity, needs, barrier, title, rationale, remediation}: Rule): RuleSummary {
  return {id, severity, needs, barrier, title, rationale, remediation}
}

/** Counts by severity (waived findings apart), failing at or above `failOn`, waived. */
export function summarize(findings: readonly Finding[], failOn: FailOn): AuditResult['summary'] {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
  for (const f of findings) if (!f.waiver) bySeverity[f.severity]++
  return {
    total: findings.length,
    failing: findings.filter((f) => isFailing(f, failOn)).length,
    waived: findings.filter((f) => f.waiver).length,
    by_severity: bySeverity,
  }
}

/** The result narrowed to one terminal's findings, with its summary recounted (check, re-check evidence). */
export function forTerminal(result: AuditResult, terminal: string): AuditResult {
  const narrowed = withFindings(
    result,
    result.findings.filter((f) => f.terminal === terminal),
  )
  return {...narrowed, not_evaluated: result.not_evaluated.filter((n) => n.terminal === terminal)}
}

/** The result with only these findings, its summary recounted. */
export function withFindings(result: AuditResult, findings: Finding[]): AuditResult {
  return {...result, findings, summary: summarize(findings, result.fail_on)}
}
