import {type AuditOptions, type AuditResult, capture, evaluateAudit} from './audit.js'
import type {CollectDeps, CollectOptions, Selection} from './collect/index.js'
import {profileFromData} from './collect/profiles/index.js'
import {selectTerminals} from './collect/select.js'
import type {ProbeProfile} from './collect/types.js'
import {ProblemList} from './errors.js'
import {isFailing} from './exit-code.js'
import {factSetFrom} from './facts/load.js'
import {loadInventory} from './inventory/load.js'
import type {Facts, Inventory, Outcome, Terminal} from './model.js'
import {OUTCOMES} from './model.js'
import {loadRules} from './rules/load.js'
import type {Rule} from './rules/types.js'
import {checkWaiverRules} from './rules/waivers.js'

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

interface Loaded {
  inventory: Inventory
  rules: Rule[]
  terminals: Terminal[]
}

/** Loads and checks every input, and the selection, before any connection is opened. */
async function prepare(options: AuditOptions, live: LiveOptions): Promise<Loaded> {
  const problems = new ProblemList()
  const [inventory, rules] = await Promise.all([
    capture(problems, () => loadInventory(options.inventory, {maxFileSize: options.maxFileSize})),
    capture(problems, () => loadRules(options.rules ?? [])),
  ])
  if (inventory && rules) checkWaiverRules(inventory, rules, problems)
  const selected = inventory ? selectTerminals(inventory.terminals, live.selection) : undefined
  for (const id of selected?.unknown ?? []) problems.add({code: 'E_REF', message: `--only: unknown terminal "${id}"`})
  const profiles: Record<string, ProbeProfile> = {}
  for (const declared of inventory?.profiles ?? []) {
    const profile = profileFromData(declared)
    if ('problems' in profile) for (const message of profile.problems) problems.at(declared.source, 'E_SCHEMA', message)
    else profiles[declared.name] = profile
  }

  problems.throwIfAny()
  live.collect.profiles = {...live.collect.profiles, ...profiles}
  return {inventory: inventory!, rules: rules!, terminals: selected!.terminals}
}

/** Collects the selected terminals and writes their facts (`fleet-audit collect`). */
export async function runCollect(options: AuditOptions, live: LiveOptions, deps: CollectDeps): Promise<{facts: Facts[]; summary: CollectSummary}> {
  const {terminals} = await prepare(options, live)
  return collectAndKeep(terminals, live, deps)
}

async function collectAndKeep(terminals: Terminal[], live: LiveOptions, deps: CollectDeps): Promise<{facts: Facts[]; summary: CollectSummary}> {
  // The SSH stack (ssh2, node-ssh) costs ~70 ms to load: only commands that connect pay for it.
  const {collect, writeFactsDir} = await import('./collect/index.js')
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
  const {inventory, rules, terminals} = await prepare(options, live)
  const collected = await collectAndKeep(terminals, live, deps)
  const facts = factSetFrom(collected.facts, live.out ?? '(live)')
  const scope = new Set(terminals.map((t) => t.id))
  const result = evaluateAudit(inventory, rules, facts, {...options, scope}, deps.now())
  return {result, collect: collected.summary}
}

/** One line of the pre-install checklist. */
export interface CheckItem {
  check: 'reachable' | 'host-key' | 'role' | 'auth' | 'identity' | 'placement'
  pass: boolean
  findings: {rule: string; severity: string; message: string}[]
}

/** Which rules answer which checklist line. */
const CHECKS: {check: CheckItem['check']; rules: RegExp}[] = [
  {check: 'reachable', rules: /^collect\/(unverified|stale-facts)$/},
  {check: 'host-key', rules: /^reconcile\/host-key-/},
  {check: 'role', rules: /^reconcile\/(role-mismatch|nw-setting-reachable-by-retail)$/},
  {check: 'auth', rules: /^(reconcile\/auth-mismatch|policy\/)/},
  {check: 'identity', rules: /^(reconcile\/(terminal-id|hostname|serial|mac)-mismatch|reconcile\/address-outside-site|declaration\/)/},
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
): Promise<{terminal: string; pass: boolean; checks: CheckItem[]; result: AuditResult; collect: CollectSummary}> {
  const loaded = await prepare(options, {...live, selection: {only: [terminalId]}})
  const inventory = {...loaded.inventory, terminals: loaded.inventory.terminals.map((t) => (t.id === terminalId && t.status === 'planned' ? {...t, status: 'active' as const} : t))}
  const terminals = inventory.terminals.filter((t) => t.id === terminalId)
  const collected = await collectAndKeep(terminals, {...live, selection: {only: [terminalId]}}, deps)
  const facts = factSetFrom(collected.facts, live.out ?? '(live)')
  const result = evaluateAudit(inventory, loaded.rules, facts, {...options, scope: new Set([terminalId])}, deps.now())
  const failing = result.findings.filter((f) => isFailing(f, options.failOn))
  const checks = CHECKS.map(({check, rules}) => {
    const hits = failing.filter((f) => rules.test(f.rule))
    return {check, pass: hits.length === 0, findings: hits.map((f) => ({rule: f.rule, severity: f.severity, message: f.message.en}))}
  })
  return {terminal: terminalId, pass: result.summary.failing === 0, checks, result, collect: collected.summary}
}
