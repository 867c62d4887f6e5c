import {type AuditResult} from '../model/result.js'
import {type AuditDeps, type AuditInputs, type AuditOptions, capture, loadInputs} from './inputs.js'
import {resultHeader, ruleSummary, summarize} from './result.js'
import {ProblemList} from '../model/errors.js'
import {type LedgerDb, ledgerView, openLedger, recordRun} from '../ledger/index.js'
import {type LogProgress, type LogReviewOptions, type LogReviewOutcome, reviewLogs} from '../rules/logs/review.js'
import {pastReviews, recordReview} from '../ledger/log-reviews.js'
import type {LogMapping} from '../model/logs.js'
import type {FirstReads} from '../facts/logs/prehash.js'
import type {Problem} from '../model/errors.js'

/** The mappings read and the log files' first reads started, before the review's modules load (logs-start.ts). */
export interface StartedReads {
  /** The mappings, or undefined when one did not load (its problems are in `problems`). */
  mappings?: LogMapping[]
  problems: Problem[]
  firstReads: FirstReads
}

/**
 * Loads the audit's inputs after the log mappings (`started`, see logs-start.ts), every problem of every input
 * reported at once: the log files' first reads run while the inventory loads.
 */
export async function loadInputsWithLogs(
  options: AuditOptions,
  started: StartedReads,
  extra: Parameters<typeof loadInputs>[1] = {},
): Promise<{inputs: AuditInputs; mappings: LogMapping[]; firstReads: FirstReads}> {
  const {mappings, problems: mappingProblems, firstReads} = started
  const problems = new ProblemList()
  for (const p of mappingProblems) problems.add(p)
  const inputs = await capture(problems, () => loadInputs(options, extra))
  if (problems.length > 0) await firstReads.close()
  problems.throwIfAny()
  return {inputs: inputs!, mappings: mappings!, firstReads}
}

/**
 * Runs the review on loaded inputs. With a ledger database, the removal and install days of its events and the
 * reviews recorded before are read first (the database is closed again before the engine starts).
 */
export async function reviewLoaded(
  inputs: AuditInputs,
  mappings: LogMapping[],
  options: AuditOptions,
  logs: LogReviewOptions,
  deps: {now: Date; onProgress?: (p: LogProgress) => void; firstReads?: FirstReads},
): Promise<LogReviewOutcome> {
  let ledger = inputs.ledgerFromFiles
  let past
  if (options.ledger?.db) {
    const db = openLedger(options.ledger.db)
    try {
      ledger ??= ledgerView(db)
      past = pastReviews(db)
    } finally {
      db.close()
    }
  }

  try {
    return await reviewLogs(inputs.inventory, inputs.rules, mappings, logs, {
      now: deps.now,
      ledger,
      past,
      onProgress: deps.onProgress,
      firstReads: deps.firstReads,
    })
  } finally {
    await deps.firstReads?.close()
  }
}

/** Records a review in the ledger database's history (with the run it belongs to). */
export function recordLogReview(
  db: LedgerDb,
  review: {now: Date; inventoryRoot: string; logs: LogReviewOutcome; runId?: number},
): number {
  return recordReview(db, {
    recordedAt: review.now,
    inventoryRoot: review.inventoryRoot,
    summary: review.logs.summary,
    findingCount: review.logs.findings.length,
    terminalsCovered: review.logs.terminalsCovered,
    runId: review.runId,
  })
}

/**
 * `logs analyze`: inventory + log mappings + log rules → findings, as an AuditResult of kind `logs` that every
 * reporter renders and `exitCodeFor` judges. With a ledger database the run and the review are recorded.
 */
export async function runLogReview(
  options: AuditOptions & {logs: LogReviewOptions},
  deps: {now: Date; onProgress?: (p: LogProgress) => void; rules?: AuditDeps['rules']},
  started: StartedReads,
): Promise<AuditResult> {
  const {inputs, mappings, firstReads} = await loadInputsWithLogs(options, started, {rules: deps.rules})
  const outcome = await reviewLoaded(inputs, mappings, options, options.logs, {...deps, firstReads})
  const {inventory} = inputs
  const result: AuditResult = {
    ...resultHeader(inventory, deps.now, options.failOn, 'logs'),
    summary: summarize(outcome.findings, options.failOn),
    rules: outcome.rules.map(ruleSummary),
    terminals: inventory.terminals.map((t) => ({id: t.id, site: t.site, zone: t.zone, status: t.status})),
    waivers: [],
    findings: outcome.findings,
    // Coverage (a source silent on a day, unparseable lines, a period never reviewed) is reported by the log rules.
    not_evaluated: [],
    logs: outcome.summary,
  }
  if (options.ledger?.db) {
    const db = openLedger(options.ledger.db)
    try {
      const write = db.transaction(() => {
        result.run_id = recordRun(db, {
          startedAt: deps.now,
          inventoryRoot: inventory.root,
          findings: result.findings,
          facts: [],
          terminals: inventory.terminals,
          meta: {logs: {from: outcome.summary.from, to: outcome.summary.to, sources: outcome.summary.sources}},
        })
        result.logs!.review_id = recordLogReview(db, {
          now: deps.now,
          inventoryRoot: inventory.root,
          logs: outcome,
          runId: result.run_id,
        })
      })
      write.immediate()
    } finally {
      db.close()
    }
  }

  return result
}
