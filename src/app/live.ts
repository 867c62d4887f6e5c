import {type AuditResult, isFailing} from '../model/result.js'
import {finishAudit} from './audit.js'
import {type AuditInputs, type AuditOptions, loadInputs} from './inputs.js'
import {forTerminal} from './result.js'
import type {CollectDeps, CollectOptions, Selection} from '../collect/index.js'
import {profileFromData} from '../facts/probes/index.js'
import {selectionProblems, selectTerminals} from '../collect/select.js'
import type {ProbeProfile} from '../facts/probes/types.js'
import {factSetFrom} from '../facts/load.js'
import {factsState} from '../facts/state.js'
import type {Facts, Outcome, Terminal} from '../model/types.js'
import {OUTCOMES} from '../model/types.js'

/** What a collection did, for people and for `--json`. */
export interface CollectSummary {
  total: number
  by_outcome: Record<Outcome, number>
  aborted: boolean
  skipped: string[]
  written: string[]
  accepted_host_keys: {terminal: string; host_key: string}[]
  /** Things the operator should know (unparsable known_hosts lines, ...); already free of control characters. */
  warnings: string[]
}

/** Options of a collection: which terminals, how to reach them, where to keep the facts. */
export interface LiveOptions {
  selection: Selection
  collect: CollectOptions
  /** Folder to write one facts file per terminal into; none keeps them in memory only. */
  out?: string
}

interface Loaded extends AuditInputs {
  terminals: Terminal[]
  /** The caller's live options with the inventory's probe profiles added. */
  live: LiveOptions
}

/**
 * Loads and checks every input before any connection is opened: the audit's inputs, the selection (an unknown
 * --only id, --site or --zone, or a selection of nothing, is exit 2: an audit of nothing must never pass) and the
 * inventory's probe profiles.
 */
async function prepare(options: AuditOptions, live: LiveOptions): Promise<Loaded> {
  let terminals: Terminal[] = []
  const profiles: Record<string, ProbeProfile> = {}
  const inputs = await loadInputs(options, {
    check(inventory, problems) {
      const selected = selectTerminals(inventory.terminals, live.selection)
      for (const p of selectionProblems(inventory, live.selection, selected)) problems.add(p)

      terminals = selected.terminals
      for (const declared of inventory.profiles) {
        const profile = profileFromData(declared)
        if ('problems' in profile)
          for (const message of profile.problems) problems.at(declared.source, 'E_SCHEMA', message)
        else profiles[declared.name] = profile
      }
    },
  })
  return {
    ...inputs,
    terminals,
    live: {...live, collect: {...live.collect, profiles: {...live.collect.profiles, ...profiles}}},
  }
}

/** Collects the selected terminals and writes their facts (`fleet-audit collect`). */
export async function runCollect(
  options: AuditOptions,
  live: LiveOptions,
  deps: CollectDeps,
): Promise<{facts: Facts[]; summary: CollectSummary}> {
  const loaded = await prepare(options, live)
  return collectAndKeep(loaded.terminals, loaded.live, deps)
}

async function collectAndKeep(
  terminals: Terminal[],
  live: LiveOptions,
  deps: CollectDeps,
): Promise<{facts: Facts[]; summary: CollectSummary}> {
  // The SSH stack (ssh2, node-ssh) costs ~70 ms to load: only commands that connect pay for it.
  const {collect, writeFactsDir} = await import('../collect/index.js')
  const result = await collect(terminals, live.collect, deps)
  const written = live.out ? await writeFactsDir(live.out, result.facts) : []
  const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>
  for (const f of result.facts) byOutcome[f.outcome]++
  return {
    facts: result.facts,
    summary: {
      total: terminals.length,
      by_outcome: byOutcome,
      aborted: result.aborted,
      skipped: result.skipped,
      written,
      accepted_host_keys: result.acceptedHostKeys,
      warnings: [...result.warnings, ...result.knownHostsProblems],
    },
  }
}

/** Collects, then audits the collected terminals with the facts just gathered (`fleet-audit audit --live`). */
export async function runLiveAudit(
  options: AuditOptions,
  live: LiveOptions,
  deps: CollectDeps,
): Promise<{result: AuditResult; collect: CollectSummary}> {
  const inputs = await prepare(options, live)
  const collected = await collectAndKeep(inputs.terminals, inputs.live, deps)
  const facts = factSetFrom(collected.facts, live.out ?? '(live)')
  const result = await finishAudit(
    inputs,
    {...options, collected: new Set(inputs.terminals.map((t) => t.id))},
    deps.now(),
    facts,
  )
  return {result, collect: collected.summary}
}

/** One line of the pre-install checklist. */
export interface CheckItem {
  check: 'reachable' | 'host-key' | 'role' | 'auth' | 'identity' | 'placement'
  /** `not-checked`: the line could not be answered (the terminal was not verified, or a rule could not be evaluated). */
  status: 'pass' | 'fail' | 'not-checked'
  /** True only when the line was checked and passed. */
  pass: boolean
  /** False when the line could not be answered: never read as a pass. */
  checked: boolean
  findings: {rule: string; severity: string; message: string}[]
}

/** Which rules answer which checklist line. */
const CHECKS: {check: CheckItem['check']; rules: RegExp}[] = [
  {check: 'reachable', rules: /^collect\/(unverified|stale-facts)$/},
  {check: 'host-key', rules: /^reconcile\/host-key-/},
  {check: 'role', rules: /^reconcile\/(role-mismatch|nw-setting-reachable-by-retail)$/},
  {check: 'auth', rules: /^(reconcile\/auth-mismatch|policy\/)/},
  {
    check: 'identity',
    rules: /^(reconcile\/(terminal-id|hostname|serial|mac)-mismatch|reconcile\/address-outside-site|declaration\/)/,
  },
  {check: 'placement', rules: /^(placement\/|waiver\/)/},
]

/**
 * The pre-install check for IT staff: collects one terminal (planned or active) and audits it as if it were
 * active, so that nothing about a PC about to be installed is excused for being "only planned".
 */
export async function runCheck(
  options: AuditOptions,
  terminalId: string,
  live: Omit<LiveOptions, 'selection'>,
  deps: CollectDeps,
): Promise<{
  terminal: string
  pass: boolean
  verdict: CheckItem['status']
  checks: CheckItem[]
  result: AuditResult
  collect: CollectSummary
}> {
  const loaded = await prepare(options, {...live, selection: {only: [terminalId]}})
  const inventory = {
    ...loaded.inventory,
    terminals: loaded.inventory.terminals.map((t) =>
      t.id === terminalId && t.status === 'planned' ? {...t, status: 'active' as const} : t,
    ),
  }
  const terminals = inventory.terminals.filter((t) => t.id === terminalId)
  const collected = await collectAndKeep(terminals, loaded.live, deps)
  const facts = factSetFrom(collected.facts, live.out ?? '(live)')
  const audit = await finishAudit(
    {...loaded, inventory},
    {...options, collected: new Set([terminalId])},
    deps.now(),
    facts,
  )
  // The checklist is about this terminal; the rest of the fleet is the audit's business.
  const result = forTerminal(audit, terminalId)
  // Reachable and verified means usable facts of this terminal; without them no later line can be answered.
  const verified = factsState(facts.facts.get(terminalId), facts.problems.get(terminalId), deps.now()).kind === 'ok'
  const unevaluated = new Set(result.not_evaluated.flatMap((n) => n.rules))
  const checks = CHECKS.map(({check, rules}): CheckItem => {
    const mine = result.findings.filter((f) => rules.test(f.rule))
    // An unverified terminal fails the first line whatever --fail-on says: it was not checked at all.
    const hits = mine.filter((f) => isFailing(f, options.failOn) || (check === 'reachable' && !verified))
    const findings = hits.map((f) => ({rule: f.rule, severity: f.severity, message: f.message.en}))
    if (hits.length > 0 || (check === 'reachable' && !verified))
      return {check, status: 'fail', pass: false, checked: true, findings}
    const open =
      !verified ||
      mine.some((f) => f.unevaluated) ||
      result.rules.some((r) => rules.test(r.id) && unevaluated.has(r.id))
    if (open) {
      const why = mine
        .filter((f) => f.unevaluated)
        .map((f) => ({rule: f.rule, severity: f.severity, message: f.message.en}))
      return {check, status: 'not-checked', pass: false, checked: false, findings: why}
    }

    return {check, status: 'pass', pass: true, checked: true, findings}
  })
  const verdict = checks.some((c) => c.status === 'fail')
    ? 'fail'
    : checks.some((c) => c.status === 'not-checked')
      ? 'not-checked'
      : 'pass'
  return {terminal: terminalId, pass: verdict === 'pass', verdict, checks, result, collect: collected.summary}
}
