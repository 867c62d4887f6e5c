import {type AuditResult} from '../../model/result.js'
import {finishAudit} from '../audit.js'
import {type AuditDeps, type AuditInputs, type AuditOptions, loadInputs} from '../inputs.js'
import {openLedger} from '../../ledger/store.js'
import {ledgerView, type LedgerView} from '../../ledger/view.js'
import type {ReportDetails} from '../../report/html-model.js'
import {describeInputs, reportEvents} from './inputs.js'

/**
 * An audit (or validation) that keeps what the HTML report shows beyond the result: the loaded inventory and
 * facts, the ledger's events and the inputs' hashes. The result is exactly what `runAudit` returns.
 */
export async function runAuditReport(
  options: AuditOptions,
  deps: AuditDeps,
): Promise<{result: AuditResult; details: ReportDetails}> {
  const inputs = await loadInputs(options, {facts: deps.facts})
  const result = await finishAudit(inputs, options, deps.now)
  return {result, details: await reportDetails(inputs, options)}
}

/**
 * Details for a result computed elsewhere (a live audit): the inputs are read again, with the facts from the
 * folder the run wrote them to.
 */
export async function loadReportDetails(options: AuditOptions): Promise<ReportDetails> {
  return reportDetails(await loadInputs(options), options)
}

async function reportDetails(inputs: AuditInputs, options: AuditOptions): Promise<ReportDetails> {
  const view = inputs.ledgerFromFiles ?? (options.ledger?.db ? readLedgerView(options.ledger.db) : undefined)
  return {
    inventory: inputs.inventory,
    facts: inputs.facts,
    events: view && reportEvents(view),
    inputs: await describeInputs(inputs, view),
  }
}

/** A snapshot of a ledger database, opened read-only. */
export function readLedgerView(path: string): LedgerView {
  const db = openLedger(path, {readonly: true})
  try {
    return ledgerView(db)
  } finally {
    db.close()
  }
}
