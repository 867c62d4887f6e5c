import {type AuditResult} from '../../model/result.js'
import {readFile} from 'node:fs/promises'
import {join, sep} from 'node:path'

import {evaluateAudit} from '../audit.js'
import {type AuditOptions, capture} from '../inputs.js'
import {InputError, ProblemList} from '../../model/errors.js'
import {loadFacts} from '../../facts/load.js'
import {loadDeclared} from '../declared.js'
import type {LedgerView, ViewEvent} from '../../ledger/view.js'
import {loadHandoffFiles} from '../../ledger/view.js'
import type {ReportDetails} from '../../report/html-model.js'
import {loadRules} from '../../rules/load.js'
import {checkWaiverRules} from '../../rules/waivers.js'
import {describeInputs, reportEvents} from './inputs.js'
import type {BundleRun} from './layout.js'
import {viewFromEvents} from './ledger-snapshot.js'

/**
 * Audits the inputs inside a bundle (or a bundle being made): its inventory, its facts, its own copy of the
 * rule packs (never the installed ones) and its ledger snapshot, at the bundle's "now". Making and verifying a
 * bundle both run this, so a bundle reproduces by construction unless something changed. Paths in the result are
 * bundle-relative (`inputs/inventory/fleet.yaml:12:5`), whatever folder the bundle sits in.
 */
export async function auditBundle(root: string, run: BundleRun, now: Date, logs: readonly string[] = []): Promise<{result: AuditResult; details: ReportDetails}> {
  const at = (p: string) => join(root, ...p.split('/'))
  const problems = new ProblemList()
  const [inventory, rules, facts] = await Promise.all([
    capture(problems, () => loadDeclared(at(run.inventory))),
    capture(problems, () => loadRules(run.rules.map(at), at(run.builtin_rules))),
    run.facts ? capture(problems, () => loadFacts(at(run.facts!))) : undefined,
  ])
  if (inventory && rules) checkWaiverRules(inventory, rules, problems)
  let ledger: LedgerView | undefined
  if (inventory && run.ledger) {
    if ('events' in run.ledger) {
      const file = at(run.ledger.events)
      ledger = await capture(problems, async () => viewFromEvents(parseEvents(await readFile(file, 'utf8'), file)))
    } else {
      const files = run.ledger.handoffs.map(at)
      ledger = await capture(problems, async () => loadHandoffFiles(files, inventory.companies).view)
    }
  }

  problems.throwIfAny()
  const options: AuditOptions = {inventory: at(run.inventory), facts: run.facts ? at(run.facts) : undefined, failOn: run.fail_on}
  const result = evaluateAudit(inventory!, rules!, facts, options, now, ledger)
  const inputs = {inventory: inventory!, rules: rules!, facts}
  const details: ReportDetails = {inventory: inventory!, facts, events: ledger && reportEvents(ledger), inputs: await describeInputs(inputs, ledger, logs, true)}
  const prefix = root.endsWith(sep) ? root : root + sep
  return {result: rebase(result, prefix), details: rebase(details, prefix)}
}

function parseEvents(text: string, file: string): ViewEvent[] {
  try {
    const value = JSON.parse(text) as unknown
    if (Array.isArray(value)) return value as ViewEvent[]
  } catch {
    // reported below
  }

  throw new InputError([{code: 'E_EVIDENCE', message: 'not a list of ledger events', file}])
}

/** A copy of a value in which every string starting with `prefix` (an absolute folder) loses it: bundle paths. */
export function rebase<T>(value: T, prefix: string): T {
  // Everywhere in the string: messages quote paths too ("facts file … is invalid").
  const strip = (s: string) => (s.includes(prefix) ? s.replaceAll(prefix, '') : s)
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return strip(v)
    if (Array.isArray(v)) return v.map(walk)
    if (v instanceof Map) return new Map([...v].map(([k, x]) => [walk(k), walk(x)]))
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }

  return walk(value) as T
}
