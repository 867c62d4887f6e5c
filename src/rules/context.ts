import type {LedgerView} from '../ledger/view.js'
import type {FactsState} from '../facts/state.js'
import type {Company, Facts, Inventory, Terminal} from '../model/types.js'
import {dayIn, daysBetween} from '../io/time.js'
import type {EvaluationInput} from './types.js'

const EMPTY_CLIENT = {terminal_id: '', role: '', auth: '', serial: '', macs: [], ips: []}
const EMPTY_OS = {hostname: '', machine_id: '', name: ''}

/** Per-inventory values shared by every terminal's context, computed once. */
export interface SharedContext {
  companies: Record<string, {id: string; name: string; side: string}>
  policy: Record<string, unknown>
  sites: Map<string, Record<string, unknown>>
  zones: Map<string, Record<string, unknown>>
}

/** Builds what every rule can see regardless of terminal. */
export function sharedContext(input: EvaluationInput): SharedContext {
  const {inventory: inv, today} = input
  const companies: SharedContext['companies'] = {}
  for (const c of inv.companies) companies[c.id] = {id: c.id, name: c.name, side: c.side}
  const sideOf = (id: string) => companies[id]?.side
  const zones = new Map<string, Record<string, unknown>>()
  for (const z of inv.zones) {
    const nwOnly = z.access.every((c) => sideOf(c) === 'nw')
    zones.set(z.id, {
      id: z.id,
      site: z.site,
      name: z.name,
      kind: z.kind,
      access: z.access,
      nw_only: nwOnly,
      retail_reachable: !nwOnly,
    })
  }

  const sites = new Map<string, Record<string, unknown>>()
  for (const s of inv.sites) sites.set(s.id, {id: s.id, name: s.name, subnets: s.subnets})
  const p = inv.policy
  const policy = {
    idcard_required_from: p.idcard_required_from ?? '',
    idcard_required: p.idcard_required_from !== undefined && today >= p.idcard_required_from,
    freshness_days: BigInt(p.freshness_days),
    ack_days: BigInt(p.ack_days),
    max_waiver_days: BigInt(p.max_waiver_days),
    timezone: p.timezone,
    today,
  }
  return {companies, policy, sites, zones}
}

/**
 * The CEL context for one terminal: `terminal`, `site`, `zone`, `owner`, `companies`, `policy`, `facts`.
 * Facts are always present as a value (with `present`, `valid`, `ok`), so that conditions never fail
 * on a missing field and an absent or broken document reads as "not ok" (fail closed).
 */
export function terminalContext(
  shared: SharedContext,
  inv: Inventory,
  t: Terminal,
  facts: FactsState,
  ledger?: LedgerView,
): Record<string, unknown> {
  const owner = shared.companies[t.owner] as Company | undefined
  return {
    terminal: {
      id: t.id,
      hostname: t.hostname,
      address: t.address ?? t.hostname,
      site: t.site,
      zone: t.zone,
      owner: t.owner,
      role: t.role,
      status: t.status,
      auth: t.auth,
      os: t.os ?? '',
      serial: t.serial ?? '',
      macs: t.macs,
      tags: t.tags,
      ssh: {
        user: t.ssh.user ?? '',
        port: BigInt(t.ssh.port ?? 22),
        host_key: t.ssh.host_key ?? '',
        profile: t.ssh.profile ?? '',
      },
    },
    site: shared.sites.get(t.site),
    zone: shared.zones.get(t.zone),
    owner: owner ?? {id: t.owner, name: '', side: ''},
    companies: shared.companies,
    policy: shared.policy,
    facts: factsContext(facts, inv.policy.timezone, shared.policy.today as string),
    ledger: ledgerContext(ledger, t.id, inv.policy.timezone, shared.policy.today as string),
  }
}

/**
 * The terminal's ledger history for rules: `available` (a ledger was given), `events` oldest first (each with
 * `kind`, `issuer`, `seq`, `site`, `zone`, `role`, `handed_off`, `ack` = '' | 'verified' | 'rejected', `age_days`),
 * `last` (the latest event) and `placed` (the latest install, replace or move), each an empty event (kind '') when
 * there is none.
 */
function ledgerContext(ledger: LedgerView | undefined, id: string, tz: string, today: string): Record<string, unknown> {
  // Without a ledger every terminal sees the same empty history: one shared value, not three objects per terminal.
  if (!ledger) return NO_LEDGER
  const events = (ledger?.byTerminal[id] ?? []).map((e) => ({
    kind: e.kind,
    issuer: e.issuer,
    seq: BigInt(e.seq),
    site: e.site,
    zone: e.zone,
    role: e.role,
    handed_off: e.handed_off,
    ack: e.ack?.state ?? '',
    occurred_at: e.occurred_at,
    age_days: BigInt(daysBetween(dayIn(new Date(e.occurred_at), tz), today)),
  }))
  const placed = events.filter((e) => e.kind === 'install' || e.kind === 'replace' || e.kind === 'move').at(-1)
  return {available: true, events, last: events.at(-1) ?? NO_EVENT, placed: placed ?? NO_EVENT}
}

/** The empty event (kind '') of `last` and `placed` when there is none. Frozen: shared by every context. */
const NO_EVENT = Object.freeze({
  kind: '',
  issuer: '',
  seq: 0n,
  site: '',
  zone: '',
  role: '',
  handed_off: false,
  ack: '',
  occurred_at: '',
  age_days: 0n,
})

/** The ledger as rules see it when no ledger was given. */
const NO_LEDGER: Record<string, unknown> = Object.freeze({
  available: false,
  events: Object.freeze([]),
  last: NO_EVENT,
  placed: NO_EVENT,
})

function factsContext(state: FactsState, tz: string, today: string): Record<string, unknown> {
  if (state.kind === 'invalid')
    return {...absent(), present: true, valid: false, outcome: 'invalid', reason: state.reason, file: state.file}
  if (state.kind === 'missing') return ABSENT
  const {facts} = state
  return {
    present: true,
    valid: true,
    ok: state.kind === 'ok',
    outcome: facts.outcome,
    reason: facts.error?.reason ?? '',
    raw: facts.error?.raw ?? '',
    file: (facts as Facts & {file?: string}).file ?? '',
    collected_at: facts.collected_at,
    age_days: BigInt(daysBetween(dayIn(new Date(facts.collected_at), tz), today)),
    host_key: facts.host_key ?? '',
    host_key_via: facts.host_key_via ?? '',
    client: facts.client ?? EMPTY_CLIENT,
    os: facts.os ?? EMPTY_OS,
  }
}

/** Facts of a terminal that has none, shared by every such context (frozen). */
const ABSENT: Record<string, unknown> = Object.freeze(absent())

function absent(): Record<string, unknown> {
  return {
    present: false,
    valid: false,
    ok: false,
    outcome: 'missing',
    reason: 'no facts were collected for this terminal',
    raw: '',
    file: '',
    collected_at: '',
    age_days: 0n,
    host_key: '',
    host_key_via: '',
    client: EMPTY_CLIENT,
    os: EMPTY_OS,
  }
}
