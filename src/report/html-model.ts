import {type AuditResult, isFailing} from '../model/result.js'
import type {Facts, FactSet, Finding, Inventory, Severity, Terminal, Zone} from '../model/types.js'
import {SEVERITIES} from '../model/types.js'
import {daysBetween} from '../io/time.js'
import {sanitize} from '../io/text.js'

/** Waivers that end within this many days are listed in the summary so that someone renews or removes them. */
export const EXPIRY_HORIZON_DAYS = 30
/** Longest text shown for one value; a hostile terminal cannot make the page huge through one field. */
const MAX_TEXT = 2000

/** A ledger event as the HTML report shows it (a subset of the ledger's view, so any source can supply it). */
export interface ReportEvent {
  issuer: string
  seq: number
  kind: string
  terminal: string
  site: string
  zone: string
  role: string
  actor: string
  approver: string
  occurred_at: string
  note: string | null
  handed_off: boolean
  ack: {acker: string; state: string; checked_at: string} | null
}

/** One input file of a run and its SHA-256 (hex). */
export interface InputFile {
  file: string
  sha256: string
}

/** What a run read, as the summary lists it: enough to find and check the same inputs later. */
export interface RunInputs {
  inventory: InputFile[]
  rules: InputFile[]
  facts?: {dir: string; documents: number; invalid: number}
  ledger?: {source: string; chains: {issuer: string; last_seq: number; last_hash: string | null}[]}
  /** Hashes of other files a run read (access logs): their hashes only, never their content. */
  logs?: InputFile[]
}

/**
 * What the HTML report shows beyond the result: the declared inventory (zones and who can enter them, each
 * terminal's declared data), the facts used, the ledger events and the inputs' hashes. Every part is optional, so
 * any command with an {@link AuditResult} (audit, inventory validate, logs analyze) can render a page.
 */
export interface ReportDetails {
  inventory?: Inventory
  facts?: FactSet
  events?: readonly ReportEvent[]
  inputs?: RunInputs
}

/** How a terminal's marker is drawn: its worst unwaived finding, else waived, else not verified, else clean. */
export type MarkerState = Severity | 'waived' | 'unverified' | 'clean'
/** Who can enter a zone: only NW-side companies, only retail-side ones, both, or not known (no inventory). */
export type Reach = 'nw-only' | 'shared' | 'retail' | 'unknown'

/** The data the page's script renders; every string already made safe to show (control and bidi characters visible). */
export interface PageData {
  lang: 'en' | 'ja'
  meta: {
    kind: AuditResult['kind']
    version: string
    now: string
    today: string
    timezone: string
    fail_on: string
    failed: boolean
  }
  summary: {total: number; failing: number; waived: number; by_severity: Record<Severity, number>; terminals: number}
  inputs: RunInputs & {root: string}
  companies: Record<string, {name: string; side: string}>
  sites: {
    id: string
    name: string
    subnets: string[]
    zones: {id: string; name: string; kind: string; reach: Reach; access: string[]}[]
  }[]
  terminals: PageTerminal[]
  findings: PageFinding[]
  rules: Record<string, {severity: Severity; title: string; rationale: string; remediation: string}>
  waivers: {
    id: string
    rule: string
    terminals: string[]
    approver: string
    approved: string
    expires: string
    applies: boolean
    days_left: number
    reason: string
  }[]
  handoffs?: {pending: ReportEvent[]; rejected: ReportEvent[]; not_handed_off: ReportEvent[]}
}

/** A terminal on the map. `declared` and `facts` are label/value rows, so no key of a hostile document is trusted. */
export interface PageTerminal {
  id: string
  site: string
  zone: string
  role: string
  status: string
  state: MarkerState
  /** True when no valid `ok` facts were used for it (validation, no facts, or collection failed). */
  unverified: boolean
  declared: [string, string][]
  facts: [string, string][] | null
  facts_problem: string | null
  events: ReportEvent[]
}

export interface PageFinding {
  rule: string
  severity: Severity
  terminal: string
  site: string
  zone: string
  message: string
  expected: string | null
  actual: string | null
  location: string
  related: string[]
  waiver: {id: string; expires: string; approver: string} | null
  failing: boolean
}

/** Builds the page's data from a result and whatever details the command has. Pure. */
export function buildPageData(result: AuditResult, lang: 'en' | 'ja', details: ReportDetails = {}): PageData {
  const inv = details.inventory
  const companies = Object.fromEntries((inv?.companies ?? []).map((c) => [c.id, {name: c.name, side: c.side}]))
  const findingsByTerminal = groupBy(result.findings, (f) => f.terminal)
  const eventsByTerminal = groupBy(details.events ?? [], (e) => e.terminal)

  const terminals: PageTerminal[] = []
  const declared: readonly (Terminal | AuditResult['terminals'][number])[] = inv ? inv.terminals : result.terminals
  for (const t of declared) {
    const full = inv ? (t as Terminal) : undefined
    const facts = details.facts?.facts.get(t.id)
    const problem = details.facts?.problems.get(t.id)
    const unverified = !facts || facts.outcome !== 'ok'
    terminals.push({
      id: t.id,
      site: t.site,
      zone: t.zone,
      role: full?.role ?? '',
      status: t.status,
      state: markerState(findingsByTerminal.get(t.id) ?? [], unverified),
      unverified,
      declared: full ? declaredRows(full) : [['status', t.status]],
      facts: facts ? factRows(facts) : null,
      facts_problem: problem ? `${problem.file}: ${problem.message}` : null,
      events: eventsByTerminal.get(t.id) ?? [],
    })
  }

  const sites = inv
    ? inv.sites.map((s) => ({
        id: s.id,
        name: s.name,
        subnets: s.subnets,
        zones: inv.zones
          .filter((z) => z.site === s.id)
          .map((z) => ({id: z.id, name: z.name, kind: z.kind, reach: reachOf(z, companies), access: z.access})),
      }))
    : sitesFromResult(result)

  const events = details.events ?? []
  const data: PageData = {
    lang,
    meta: {
      kind: result.kind,
      version: result.tool.version,
      now: result.now,
      today: result.today,
      timezone: result.timezone,
      fail_on: result.fail_on,
      failed: result.findings.some((f) => isFailing(f, result.fail_on)),
    },
    summary: {...result.summary, terminals: declared.length},
    inputs: {
      root: result.inventory.root,
      inventory: details.inputs?.inventory ?? result.inventory.files.map((file) => ({file, sha256: ''})),
      rules: details.inputs?.rules ?? [],
      facts: details.inputs?.facts ?? result.facts,
      ledger: details.inputs?.ledger,
      logs: details.inputs?.logs,
    },
    companies,
    sites,
    terminals,
    findings: result.findings.map((f) => pageFinding(f, lang, result.fail_on)),
    rules: Object.fromEntries(
      result.rules.map((r) => [
        r.id,
        {severity: r.severity, title: r.title[lang], rationale: r.rationale[lang], remediation: r.remediation[lang]},
      ]),
    ),
    waivers: result.waivers.map((w) => ({
      ...w,
      days_left: daysBetween(result.today, w.expires),
      reason: inv?.waivers.find((x) => x.id === w.id)?.reason ?? '',
    })),
    handoffs: details.events
      ? {
          pending: events.filter((e) => e.handed_off && !e.ack),
          rejected: events.filter((e) => e.ack?.state === 'rejected'),
          not_handed_off: events.filter((e) => !e.handed_off),
        }
      : undefined,
  }
  return safe(data)
}

/** Worst unwaived severity; else waived; else not verified (fail closed: no good facts is never "clean"). */
export function markerState(findings: readonly Finding[], unverified: boolean): MarkerState {
  let worst: Severity | undefined
  for (const f of findings)
    if (!f.waiver && (!worst || SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(worst))) worst = f.severity
  if (worst) return worst
  if (findings.length > 0) return 'waived'
  return unverified ? 'unverified' : 'clean'
}

/** NW-only when every company that can enter is on the NW side (DESIGN.md); retail when none is. */
function reachOf(zone: Zone, companies: Record<string, {side: string}>): Reach {
  const sides = new Set(zone.access.map((c) => companies[c]?.side ?? 'retail'))
  if (!sides.has('retail')) return 'nw-only'
  return sides.has('nw') ? 'shared' : 'retail'
}

/** Without the inventory, sites and zones come from the result: zone names, no access (reach unknown). */
function sitesFromResult(result: AuditResult): PageData['sites'] {
  const zonesOf = new Map<string, Set<string>>()
  for (const t of result.terminals) (zonesOf.get(t.site) ?? zonesOf.set(t.site, new Set()).get(t.site)!).add(t.zone)
  return Object.entries(result.inventory.sites).map(([id, name]) => ({
    id,
    name,
    subnets: [],
    zones: [...(zonesOf.get(id) ?? [])].map((z) => ({
      id: z,
      name: result.inventory.zones[z]?.name ?? z,
      kind: result.inventory.zones[z]?.kind ?? '',
      reach: 'unknown' as const,
      access: [],
    })),
  }))
}

function declaredRows(t: Terminal): [string, string][] {
  const rows: [string, string | undefined][] = [
    ['hostname', t.hostname],
    ['address', t.address],
    ['site', t.site],
    ['zone', t.zone],
    ['owner', t.owner],
    ['role', t.role],
    ['status', t.status],
    ['auth', t.auth],
    ['os', t.os],
    ['serial', t.serial],
    ['macs', t.macs.join(', ')],
    ['tags', t.tags.join(', ')],
    ['host_key', t.ssh.host_key],
    ['profile', t.ssh.profile],
    ['note', t.note],
    ['declared_at', `${t.source.file}:${t.source.line}:${t.source.column}`],
  ]
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
}

/** A facts document flattened to `path: value` rows; arrays joined. Keys are data too, and are escaped like values. */
function factRows(facts: Facts & {file?: string}): [string, string][] {
  const rows: [string, string][] = []
  const walk = (value: unknown, path: string): void => {
    if (rows.length >= 200) return
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k)
    } else
      rows.push([
        path,
        Array.isArray(value)
          ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')
          : typeof value === 'string'
            ? value
            : JSON.stringify(value),
      ])
  }
  walk(facts, '')
  return rows
}

function pageFinding(f: Finding, lang: 'en' | 'ja', failOn: AuditResult['fail_on']): PageFinding {
  return {
    rule: f.rule,
    severity: f.severity,
    terminal: f.terminal,
    site: f.site ?? '',
    zone: f.zone ?? '',
    message: f.message[lang],
    expected: f.expected ?? null,
    actual: f.actual ?? null,
    location: `${f.location.file}:${f.location.line}:${f.location.column}`,
    related: (f.related ?? []).map((r) => `${r.file}:${r.line}:${r.column}`),
    waiver: f.waiver ?? null,
    failing: isFailing(f, failOn),
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const item of items) (map.get(key(item)) ?? map.set(key(item), []).get(key(item))!).push(item)
  return map
}

/**
 * Every string in the page's data, keys included, with control characters and bidirectional overrides made
 * visible and its length bounded. The page also only ever sets text (never markup), so this is about what a
 * reader sees, not about script injection.
 */
function safe<T>(value: T): T {
  if (typeof value === 'string') return bound(sanitize(value)) as T
  if (Array.isArray(value)) return value.map((v) => safe(v)) as T
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[bound(sanitize(k))] = safe(v)
    return out as T
  }

  return value
}

function bound(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length - MAX_TEXT} more characters)` : text
}
