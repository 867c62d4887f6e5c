import {ProblemList} from '../model/errors.js'
import {type AuditResult} from '../model/result.js'
import {type Selection, selectionProblems, selectTerminals} from '../collect/select.js'
import type {FactSet, Inventory} from '../model/types.js'
import {evaluateRules, ruleRuns, sortFindings} from '../rules/evaluate.js'
import {notEvaluated} from '../rules/unevaluated.js'
import type {LedgerView} from '../ledger/view.js'
import type {TerminalChange} from '../inventory/diff.js'
import type {Rule} from '../rules/types.js'
import {checkWaiver} from '../rules/waivers.js'
import {dayIn} from '../io/time.js'
import type {LogReviewOutcome} from '../rules/logs/review.js'

import {type AuditDeps, type AuditInputs, type AuditOptions, loadInputs} from './inputs.js'
import {resultHeader, ruleSummary, summarize} from './result.js'

/**
 * Evaluates loaded inputs; with a ledger database, its view feeds the ledger rules and the run is stored in its
 * history, in one synchronous transaction after all asynchronous work (collection) is done. The ledger's modules
 * (SQLite, hand-off files) and the log review's are loaded only by the runs that use them.
 */
export async function finishAudit(
  inputs: AuditInputs,
  options: AuditOptions,
  now: Date,
  facts = inputs.facts,
  logs?: LogReviewOutcome,
): Promise<AuditResult> {
  const {inventory, rules, ledgerFromFiles} = inputs
  if (!options.ledger?.db) return withLogs(evaluateAudit(inventory, rules, facts, options, now, ledgerFromFiles), logs)
  const [{openLedger}, {ledgerView}, {recordRun}, {recordLogReview}] = await Promise.all([
    import('../ledger/store.js'),
    import('../ledger/view.js'),
    import('../ledger/history.js'),
    logs ? import('./logs.js') : {recordLogReview: undefined},
  ])
  const db = openLedger(options.ledger.db)
  try {
    const result = withLogs(
      evaluateAudit(inventory, rules, facts, options, now, ledgerFromFiles ?? ledgerView(db, inventory.companies)),
      logs,
    )
    if (result.kind === 'audit') {
      result.run_id = recordRun(db, {
        startedAt: now,
        inventoryRoot: inventory.root,
        findings: result.findings,
        facts: facts ? [...facts.facts.values()].map(({file: _file, ...doc}) => doc) : [],
        terminals: inventory.terminals,
        meta: logs && {logs: {from: logs.summary.from, to: logs.summary.to, sources: logs.summary.sources}},
      })
      if (logs && recordLogReview)
        result.logs!.review_id = recordLogReview(db, {now, inventoryRoot: inventory.root, logs, runId: result.run_id})
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
  const {startLogReads} = await import('./logs-start.js')
  const started = await startLogReads(options.logs)
  const {loadInputsWithLogs, reviewLoaded} = await import('./logs.js')
  const {inputs, mappings, firstReads} = await loadInputsWithLogs(options, started, extra)
  const logs = await reviewLoaded(inputs, mappings, options, options.logs, {now: deps.now, firstReads})
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
    ? all.filter(
        (f) => rulesById.get(f.rule)?.needs !== 'facts' || collected.has(f.terminal) || !declared!.has(f.terminal),
      )
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
    terminals: inventory.terminals
      .filter((t) => !scope || scope.has(t.id))
      .map((t) => ({id: t.id, site: t.site, zone: t.zone, status: t.status})),
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
