import {InputError, ProblemList} from './errors.js'
import {type FailOn, isFailing} from './exit-code.js'
import {loadFacts} from './facts/load.js'
import {loadInventory} from './inventory/load.js'
import {type Selection, selectionProblems, selectTerminals} from './collect/select.js'
import type {FactSet, Finding, Inventory, Localized, Severity} from './model.js'
import {SEVERITIES} from './model.js'
import {evaluateRules, ruleRuns, sortFindings} from './rules/evaluate.js'
import {loadInputsWithLogs, recordLogReview, reviewLoaded} from './logs/run.js'
import {loadRules} from './rules/load.js'
import {type NotEvaluated, notEvaluated} from './rules/unevaluated.js'
import {ledgerView, loadHandoffFiles, type LedgerView} from './ledger/view.js'
import {openLedger} from './ledger/store.js'
import {recordRun} from './ledger/history.js'
import type {TerminalChange} from './inventory/diff.js'
import type {Needs, Rule} from './rules/types.js'
import {checkWaiver, checkWaiverRules} from './rules/waivers.js'
import {VERSION} from './source/paths.js'
import {dayIn} from './time.js'
import type {LogReviewOutcome, LogReviewOptions} from './logs/review.js'
import type {LogReviewSummary} from './logs/types.js'

/** What an audit or a validation should do. */
export interface AuditOptions {
  inventory: string
  /** Folder of recorded facts; without it only rules that need no facts run (`inventory validate`). */
  facts?: string
  /** Extra rule pack folders. */
  rules?: string[]
  failOn: FailOn
  maxFileSize?: number
  /** The terminals a live run collected: facts rules are reported for these only. */
  collected?: ReadonlySet<string>
  /**
   * `--only`, `--site`, `--zone` of an audit from recorded facts: only these terminals' findings are reported (any
   * status). An unknown id, site or zone, or a selection of nothing, is exit 2.
   */
  selection?: Pick<Selection, 'only' | 'site' | 'zone'>
  /**
   * The hand-off ledger: a database (whose history also records this run) or signed hand-off files (CI, where
   * there is no database). Without one, ledger rules do not run.
   */
  ledger?: {db?: string; files?: string[]}
  /** The terminals whose findings are reported (resolved from `selection`); all when absent. */
  scope?: ReadonlySet<string>
  /** Access logs to review in the same run (`audit --logs`): mappings, period, masking. */
  logs?: LogReviewOptions
}

/** I/O the core needs, passed in so tests and CI run it offline and reproducibly. */
export interface AuditDeps {
  now: Date
  /** Collected facts from a live run; used instead of reading `options.facts`. */
  facts?: FactSet
  /**
   * Rule packs already loaded and validated (`loadRules(options.rules)`); used instead of loading them again, so a
   * program that audits many times (a test file) reads and compiles them once.
   */
  rules?: Rule[]
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
  inventory: {root: string; files: string[]; terminals: number; sites: Record<string, string>; zones: Record<string, {name: string; kind: string}>}
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
  waivers: {id: string; rule: string; terminals: string[]; approver: string; approved: string; expires: string; applies: boolean}[]
  findings: Finding[]
  /**
   * Terminals whose facts rules could not be evaluated (facts missing, invalid or failed, or not collected in this
   * live run), with the rules: never to be read as passed. Empty when validating (no facts rules run).
   */
  not_evaluated: NotEvaluated[]
}

/** Everything an audit reads, loaded and validated. */
export interface AuditInputs {
  inventory: Inventory
  rules: Rule[]
  facts?: FactSet
  /** The ledger from signed hand-off files, when `options.ledger.files` names some. */
  ledgerFromFiles?: LedgerView
}

/**
 * Loads and validates every input at once (inventory, rules, waivers' rules, facts folder, hand-off files), so that
 * all problems are reported together (exit 2) before anything else happens. `check` adds the caller's own checks
 * (e.g. the selection of a live run) to the same list.
 */
export async function loadInputs(
  options: AuditOptions,
  extra: {facts?: FactSet; rules?: Rule[]; check?: (inventory: Inventory, problems: ProblemList) => void} = {},
): Promise<AuditInputs> {
  const problems = new ProblemList()
  const [inventory, rules, facts] = await Promise.all([
    capture(problems, () => loadInventory(options.inventory, {maxFileSize: options.maxFileSize})),
    extra.rules ?? capture(problems, () => loadRules(options.rules ?? [])),
    extra.facts ?? (options.facts ? capture(problems, () => loadFacts(options.facts!)) : undefined),
  ])
  if (inventory && rules) checkWaiverRules(inventory, rules, problems)
  if (inventory) extra.check?.(inventory, problems)
  const files = options.ledger?.files
  const ledgerFromFiles = inventory && files?.length ? await capture(problems, async () => loadHandoffFiles(files, inventory.companies).view) : undefined
  problems.throwIfAny()
  return {inventory: inventory!, rules: rules!, facts, ledgerFromFiles}
}

/**
 * Evaluates loaded inputs; with a ledger database, its view feeds the ledger rules and the run is stored in its
 * history, in one synchronous transaction after all asynchronous work (collection) is done.
 */
export function finishAudit(inputs: AuditInputs, options: AuditOptions, now: Date, facts = inputs.facts, logs?: LogReviewOutcome): AuditResult {
  const {inventory, rules, ledgerFromFiles} = inputs
  if (!options.ledger?.db) return withLogs(evaluateAudit(inventory, rules, facts, options, now, ledgerFromFiles), logs)
  const db = openLedger(options.ledger.db)
  try {
    const result = withLogs(evaluateAudit(inventory, rules, facts, options, now, ledgerFromFiles ?? ledgerView(db, inventory.companies)), logs)
    if (result.kind === 'audit') {
      result.run_id = recordRun(db, {
        startedAt: now,
        inventoryRoot: inventory.root,
        findings: result.findings,
        facts: facts ? [...facts.facts.values()].map(({file: _file, ...doc}) => doc) : [],
        terminals: inventory.terminals,
        meta: logs && {logs: {from: logs.summary.from, to: logs.summary.to, sources: logs.summary.sources}},
      })
      if (logs) result.logs!.review_id = recordLogReview(db, {now, inventoryRoot: inventory.root, logs, runId: result.run_id})
    }

    return result
  } finally {
    db.close()
  }
}

/** Loads every input first (all problems at once, exit 2), then evaluates: inventory → facts (and logs) → findings. */
export async function runAudit(options: AuditOptions, deps: AuditDeps): Promise<AuditResult> {
  let scope: Set<string> | undefined
  const check = (inventory: Inventory, problems: ProblemList) => {
    const sel: Selection = {...options.selection, statuses: ['planned', 'active', 'removed']}
    const picked = selectTerminals(inventory.terminals, sel)
    for (const p of selectionProblems(inventory, sel, picked)) problems.add(p)
    scope = new Set(picked.terminals.map((t) => t.id))
  }

  const extra = {facts: deps.facts, rules: deps.rules, check: options.selection ? check : undefined}
  if (!options.logs) return finishAudit(await loadInputs(options, extra), {...options, scope}, deps.now)
  const {inputs, mappings} = await loadInputsWithLogs(options, options.logs, extra)
  const logs = await reviewLoaded(inputs, mappings, options, options.logs, {now: deps.now})
  return finishAudit(inputs, {...options, scope}, deps.now, inputs.facts, logs)
}

/** Adds a log review's findings and rules to an audit's result (the exit code then counts them like any other). */
function withLogs(result: AuditResult, logs: LogReviewOutcome | undefined): AuditResult {
  if (!logs) return result
  const findings = sortFindings([...result.findings, ...logs.findings])
  const rules = [...result.rules, ...logs.rules.map(ruleSummary)]
  return {...result, findings, rules, summary: summarize(findings, result.fail_on), logs: {...logs.summary}}
}

/** Evaluates already loaded inputs into a result (no I/O). */
export function evaluateAudit(
  inventory: Inventory,
  rules: Rule[],
  facts: FactSet | undefined,
  options: AuditOptions,
  now: Date,
  ledger?: LedgerView,
  changes?: readonly TerminalChange[],
): AuditResult {
  const today = dayIn(now, inventory.policy.timezone)
  const mode = facts ? 'facts' : 'inventory'
  const input = {inventory, facts, now, today, rules, ledger, changes}
  const all = evaluateRules(input, mode)
  const rulesById = new Map(rules.map((r) => [r.id, r]))
  const collected = options.collected
  // A live run collects some terminals: the others have no facts, and facts rules say nothing about them. Every
  // other finding (placement, declaration, waivers, ledger, facts of undeclared terminals) stands.
  const declared = collected && new Set(inventory.terminals.map((t) => t.id))
  const reported = collected
    ? all.filter((f) => rulesById.get(f.rule)?.needs !== 'facts' || collected.has(f.terminal) || !declared!.has(f.terminal))
    : all
  // A selection (--only, --site, --zone) reports its terminals and nothing else.
  const {scope} = options
  const findings = scope ? reported.filter((f) => scope.has(f.terminal)) : reported
  const ran = rules.filter((r) => ruleRuns(r, mode, ledger !== undefined))
  const unevaluated = notEvaluated(input, ran, findings, collected)
  return {
    ...resultHeader(inventory, now, options.failOn, facts ? 'audit' : 'validate'),
    facts: facts && {dir: facts.dir, documents: facts.facts.size, invalid: facts.problems.size},
    summary: summarize(findings, options.failOn),
    rules: ran.map(ruleSummary),
    terminals: inventory.terminals.filter((t) => !scope || scope.has(t.id)).map((t) => ({id: t.id, site: t.site, zone: t.zone, status: t.status})),
    waivers: inventory.waivers.map((w) => ({
      id: w.id,
      rule: w.rule,
      terminals: w.terminals,
      approver: w.approver,
      approved: w.approved,
      expires: w.expires,
      applies: checkWaiver(w, input, rulesById).applies,
    })),
    findings,
    not_evaluated: scope ? unevaluated.filter((n) => scope.has(n.terminal)) : unevaluated,
  }
}

/** What every result says first: the tool, the kind of run, "now", and the inventory it read (audit, validate, logs). */
export function resultHeader(inventory: Inventory, now: Date, failOn: FailOn, kind: AuditResult['kind']): Pick<AuditResult, 'tool' | 'kind' | 'now' | 'today' | 'timezone' | 'fail_on' | 'inventory'> {
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
  const narrowed = withFindings(result, result.findings.filter((f) => f.terminal === terminal))
  return {...narrowed, not_evaluated: result.not_evaluated.filter((n) => n.terminal === terminal)}
}

/** The result with only these findings, its summary recounted. */
export function withFindings(result: AuditResult, findings: Finding[]): AuditResult {
  return {...result, findings, summary: summarize(findings, result.fail_on)}
}

/** Runs a loader, folding its input errors into the shared list so every input is checked before giving up. */
export async function capture<T>(problems: ProblemList, load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load()
  } catch (error) {
    if (error instanceof InputError) {
      for (const p of error.problems) problems.add(p)
      return undefined
    }

    throw error
  }
}

