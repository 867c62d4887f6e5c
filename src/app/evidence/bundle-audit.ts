import {readFile} from 'node:fs/promises'
import {join, sep} from 'node:path'

import {type AuditOptions, capture} from '../inputs.js'
import {evaluateAudit} from '../audit.js'
import {type AuditResult} from '../../model/result.js'
import {InputError, ProblemList} from '../../model/errors.js'
import {loadFacts} from '../../facts/load.js'
import {loadDeclared} from '../declared.js'
import type {LedgerView, ViewEvent} from '../../ledger/view.js'
import {loadHandoffFiles} from '../../ledger/view.js'
import type {InputFile, ReportDetails} from '../../report/html-model.js'
import {loadRules} from '../../rules/load.js'
import {checkWaiverRules} from '../../rules/waivers.js'
import {describeInputs, reportEvents} from './inputs.js'
import {type BundleRun, LAYOUT} from './layout.js'
import {type LedgerHeads, trustedLedger, type TrustedLedger} from './ledger-trust.js'

/** Whose word a bundle's ledger is taken on: the signer's for its own records, a trusted key for anyone else's. */
export interface BundleLedgerTrust {
  /** The company that signs (or signed) the bundle. */
  signer: string
  /** The public key (PEM or base64) the verifier trusts for a company, or undefined. */
  keyOf(company: string): string | undefined
}

/** What {@link auditBundle} gives: the result and page details, and for a database snapshot what backs it. */
export interface BundleAudit {
  result: AuditResult
  details: ReportDetails
  /** For a database snapshot: ledger/heads.json as the bundle's events and signed lists give it. */
  heads?: LedgerHeads
  /** For a database snapshot: every claim of ledger/events.json that the signed lists do not back. */
  ledgerProblems: {path?: string; message: string}[]
}

/**
 * Audits the inputs inside a bundle (or a bundle being made): its inventory, its facts, its own copy of the
 * rule packs (never the installed ones) and its ledger, at the bundle's "now". Making and verifying a bundle both
 * run this, so a bundle reproduces by construction unless something changed. A database snapshot is read through
 * {@link trustedLedger}: the other companies' records only as their signed lists carried in the bundle say, with
 * the keys `trust` gives. Paths in the result are bundle-relative (`inputs/inventory/fleet.yaml:12:5`), whatever
 * folder the bundle sits in; log files appear by the hashes in logs/hashes.json, never read.
 */
export async function auditBundle(
  root: string,
  run: BundleRun,
  now: Date,
  trust: BundleLedgerTrust,
): Promise<BundleAudit> {
  const at = (p: string) => join(root, ...p.split('/'))
  const problems = new ProblemList()
  const [inventory, rules, facts] = await Promise.all([
    capture(problems, () => loadDeclared(at(run.inventory))),
    capture(problems, () => loadRules(run.rules.map(at), at(run.builtin_rules))),
    run.facts ? capture(problems, () => loadFacts(at(run.facts!))) : undefined,
  ])
  if (inventory && rules) checkWaiverRules(inventory, rules, problems)
  let ledger: LedgerView | undefined
  let trusted: TrustedLedger | undefined
  if (inventory && run.ledger) {
    if ('events' in run.ledger) {
      const file = at(run.ledger.events)
      const shown = run.ledger.events
      const signed = run.ledger.signed ?? []
      trusted = await capture(problems, async () => {
        const claims = parseEvents(await readFile(file, 'utf8'), file)
        const lists = await Promise.all(signed.map(async (path) => ({path, text: await readFile(at(path), 'utf8')})))
        return trustedLedger(claims, lists, trust.signer, trust.keyOf, shown)
      })
      ledger = trusted?.view
    } else {
      const files = run.ledger.handoffs.map(at)
      ledger = await capture(problems, async () => loadHandoffFiles(files, inventory.companies).view)
    }
  }

  problems.throwIfAny()
  const options: AuditOptions = {
    inventory: at(run.inventory),
    facts: run.facts ? at(run.facts) : undefined,
    failOn: run.fail_on,
  }
  const result = evaluateAudit(inventory!, rules!, facts, options, now, ledger)
  const inputs = {inventory: inventory!, rules: rules!, facts}
  const described = await describeInputs(inputs, ledger, [], true)
  const logs = await readLogHashes(at(LAYOUT.logHashes))
  const details: ReportDetails = {
    inventory: inventory!,
    facts,
    events: ledger && reportEvents(ledger),
    inputs: {...described, logs},
  }
  const prefix = root.endsWith(sep) ? root : root + sep
  return {
    result: rebase(result, prefix),
    details: rebase(details, prefix),
    heads: trusted?.heads,
    ledgerProblems: trusted?.problems ?? [],
  }
}

/** The log files' hashes the bundle recorded (the HTML lists them), or undefined when it recorded none. */
async function readLogHashes(file: string): Promise<InputFile[] | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }

  let value: {file: string; sha256: string}[] | undefined
  try {
    value = JSON.parse(text) as {file: string; sha256: string}[]
  } catch {
    // reported below
  }

  if (!Array.isArray(value) || !value.every((v) => typeof v?.file === 'string' && typeof v.sha256 === 'string'))
    throw new InputError([{code: 'E_EVIDENCE', message: 'not a list of log file hashes', file}])
  return value.map((v) => ({file: v.file, sha256: v.sha256}))
}

function parseEvents(text: string, file: string): ViewEvent[] {
  try {
    const value = JSON.parse(text) as unknown
    if (Array.isArray(value) && value.every(isViewEvent)) return value as ViewEvent[]
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

/** The shape of an event in ledger/events.json, enough that hashing and comparing it cannot throw. */
function isViewEvent(v: unknown): boolean {
  const e = v as Record<string, unknown>
  const ack = e?.ack as Record<string, unknown> | null | undefined
  return (
    e !== null &&
    typeof e === 'object' &&
    ['issuer', 'kind', 'terminal', 'site', 'zone', 'role', 'hash', 'occurred_at'].every(
      (k) => typeof e[k] === 'string',
    ) &&
    Number.isInteger(e.seq) &&
    Array.isArray(e.macs) &&
    typeof e.handed_off === 'boolean' &&
    (ack === null ||
      (typeof ack === 'object' &&
        typeof ack.acker === 'string' &&
        typeof ack.state === 'string' &&
        Number.isInteger(ack.seq)))
  )
}
