import type {Problem} from '../model/errors.js'
import type {Inventory, Role} from '../model/types.js'
import {LedgerError, ledgerError} from './errors.js'
import {hashEvent} from './hash.js'
import {indexInventory, type InventoryIndex} from '../inventory/index-by-id.js'
import {EventInserter} from './rows.js'
import {prepare, type LedgerDb} from './store.js'
import {isSafeText} from '../io/text.js'
import {isOffsetTime} from '../io/time.js'
import {EVENT_KINDS, type EventKind, type LedgerEvent} from '../model/ledger.js'

/** What a caller says happened; anything left out is taken from the terminal's declaration. */
export interface EventInput {
  kind: EventKind
  terminal: string
  /** The issuing company: whose chain the event joins. */
  issuer: string
  actor: string
  approver: string
  /** ISO 8601 with an explicit offset. */
  occurred_at: string
  site?: string
  zone?: string
  /** For a move; defaults to the place of the terminal's latest event in this chain. */
  from_site?: string
  from_zone?: string
  role?: Role
  owner?: string
  host_key?: string | null
  serial?: string | null
  macs?: string[]
  /** Required when the actor or approver is not a person of the issuing company: why they act for it. */
  delegation?: string
  note?: string
}

/** How far in the future `occurred_at` may lie (clock skew between the operator's machine and ours). */
const FUTURE_SLACK_MS = 5 * 60_000

/** The latest seq and hash of an issuer's event chain. */
export function eventChainHead(db: LedgerDb, issuer: string): {seq: number; hash: string | null; imported: boolean} {
  const row = prepare<[string], {seq: number; hash: string; imported_at: string | null}>(
    db,
    'SELECT seq, hash, imported_at FROM events WHERE issuer = ? ORDER BY seq DESC LIMIT 1',
  ).get(issuer)
  return row
    ? {seq: row.seq, hash: row.hash, imported: row.imported_at !== null}
    : {seq: 0, hash: null, imported: false}
}

/** Records one event, and returns it; see {@link recordEvents}. */
export function recordEvent(db: LedgerDb, inventory: Inventory, input: EventInput, now: Date): LedgerEvent {
  let recorded: LedgerEvent | undefined
  appendEvents(db, inventory, [input], now, (event) => (recorded = event))
  return recorded!
}

/** What {@link recordEvents} recorded: how many events, and each issuer's chain head after them. */
export interface RecordedEvents {
  count: number
  /** Per issuer, in the order the issuers first appear in the batch: the last seq and hash recorded. */
  heads: {issuer: string; seq: number; hash: string}[]
}

/**
 * Validates every input against the inventory (all problems at once, exit 2), then appends them to their issuers'
 * chains in one IMMEDIATE transaction: the write lock is taken before the chain head is read, so two processes
 * recording at once queue on the busy timeout instead of forking the chain.
 *
 * Returns a summary, not the events: each event object is dropped once it is queued for the INSERT, so a bulk
 * record's 100,000 events die young instead of being promoted and kept (which cost a sixth of the stage). Read
 * them back with `listEvents` when they are needed.
 */
export function recordEvents(
  db: LedgerDb,
  inventory: Inventory,
  inputs: readonly EventInput[],
  now: Date,
): RecordedEvents {
  return appendEvents(db, inventory, inputs, now)
}

function appendEvents(
  db: LedgerDb,
  inventory: Inventory,
  inputs: readonly EventInput[],
  now: Date,
  recorded?: (event: LedgerEvent) => void,
): RecordedEvents {
  const index = indexInventory(inventory)
  const problems: Problem[] = []
  const times = new Map<string, TimeCheck>()
  inputs.forEach((input, i) =>
    validateInput(index, input, now, inputs.length > 1 ? `events[${i}]: ` : '', problems, times),
  )
  if (problems.length > 0) throw new LedgerError(problems)
  const recordedAt = now.toISOString()
  const write = db.transaction((): RecordedEvents => {
    const insert = new EventInserter(db, null, inputs.length)
    const heads = new Map<string, {seq: number; hash: string | null}>()
    for (const input of inputs) {
      let head = heads.get(input.issuer)
      if (!head) {
        const stored = eventChainHead(db, input.issuer)
        if (stored.imported)
          throw ledgerError(
            'E_CHAIN_IMPORTED',
            `the event chain of ${input.issuer} is imported from its hand-offs; only ${input.issuer} can extend it`,
          )
        head = {seq: stored.seq, hash: stored.hash}
        heads.set(input.issuer, head)
      }
      const event = toEvent(db, index, input, head.seq + 1, head.hash, recordedAt, insert)
      event.hash = hashEvent(event)
      insert.add(event)
      head.seq = event.seq
      head.hash = event.hash
      recorded?.(event)
    }
    insert.finish()
    return {
      count: inputs.length,
      heads: [...heads].map(([issuer, h]) => ({issuer, seq: h.seq, hash: h.hash!})),
    }
  })
  return write.immediate()
}

/** The verdict on one `occurred_at` text: fine, not an offset time, or in the future. */
type TimeCheck = 'ok' | 'format' | 'future'

function checkTime(value: string, now: Date, times: Map<string, TimeCheck>): TimeCheck {
  // A bulk record usually repeats a handful of times: parse each distinct text once per call.
  let verdict = times.get(value)
  if (verdict === undefined) {
    verdict = !isOffsetTime(value) ? 'format' : Date.parse(value) > now.getTime() + FUTURE_SLACK_MS ? 'future' : 'ok'
    times.set(value, verdict)
  }
  return verdict
}

function validateInput(
  index: InventoryIndex,
  input: EventInput,
  now: Date,
  at: string,
  problems: Problem[],
  times: Map<string, TimeCheck>,
): void {
  const add = (code: string, message: string): void => void problems.push({code, message: at + message})
  if (!EVENT_KINDS.includes(input.kind))
    add('E_INPUT', `kind must be one of ${EVENT_KINDS.join(', ')}, not "${input.kind}"`)
  const terminal = index.terminals.get(input.terminal)
  if (!terminal) add('E_REF', `unknown terminal "${input.terminal}"`)
  const issuer = index.companies.get(input.issuer)
  if (!issuer) add('E_REF', `unknown company "${input.issuer}" (issuer)`)
  for (const [field, id] of [
    ['actor', input.actor],
    ['approver', input.approver],
  ] as const) {
    const person = index.people.get(id)
    if (!person) add('E_REF', `unknown person "${id}" (${field})`)
    else if (issuer && person.company !== issuer.id && !input.delegation?.trim())
      add(
        'E_DELEGATION',
        `${field} "${id}" is of company ${person.company}, not the issuer ${issuer.id}: say why in the delegation`,
      )
  }
  if (input.actor === input.approver)
    add('E_SEPARATION', `the approver must be someone other than the actor ("${input.actor}")`)
  const time = typeof input.occurred_at === 'string' ? checkTime(input.occurred_at, now, times) : 'format'
  if (time === 'format')
    add(
      'E_INPUT',
      `occurred_at "${input.occurred_at}" must be an ISO 8601 time with an offset, e.g. 2026-11-27T10:00+09:00`,
    )
  else if (time === 'future') add('E_INPUT', `occurred_at ${input.occurred_at} is in the future`)
  if (input.owner !== undefined && !index.companies.has(input.owner))
    add('E_REF', `unknown company "${input.owner}" (owner)`)
  if (input.role !== undefined && input.role !== 'nw' && input.role !== 'retail')
    add('E_INPUT', `role must be nw or retail, not "${input.role}"`)
  for (const [field, value] of [
    ['note', input.note],
    ['delegation', input.delegation],
    ['serial', input.serial],
    ['host_key', input.host_key],
  ] as const) {
    if (value !== undefined && value !== null && !isSafeText(value))
      add('E_INPUT', `${field} has control characters, bidi overrides or broken Unicode (or is over 4,096 characters)`)
  }

  for (const mac of input.macs ?? [])
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac))
      add('E_INPUT', `mac "${mac}" is not a MAC address (lowercase, colon-separated)`)
  checkPlace(index, input.site ?? terminal?.site, input.zone ?? terminal?.zone, '', add)
  if (input.kind === 'move' && (input.from_site !== undefined || input.from_zone !== undefined))
    checkPlace(index, input.from_site, input.from_zone, 'from_', add)
}

function checkPlace(
  index: InventoryIndex,
  site: string | undefined,
  zone: string | undefined,
  prefix: string,
  add: (code: string, message: string) => void,
): void {
  if (site === undefined || zone === undefined) return add('E_INPUT', `${prefix}site and ${prefix}zone are required`)
  if (!index.sites.has(site)) add('E_REF', `unknown site "${site}" (${prefix}site)`)
  const z = index.zones.get(zone)
  if (!z) add('E_REF', `unknown zone "${zone}" (${prefix}zone)`)
  else if (z.site !== site) add('E_REF', `zone "${zone}" is at site ${z.site}, not ${site} (${prefix}zone)`)
}

/** The event, with `hash` still empty (one object, filled in by the caller, rather than a body and a copy). */
function toEvent(
  db: LedgerDb,
  index: InventoryIndex,
  input: EventInput,
  seq: number,
  prevHash: string | null,
  recordedAt: string,
  insert: EventInserter,
): LedgerEvent {
  const t = index.terminals.get(input.terminal)!
  let fromSite: string | null = null
  let fromZone: string | null = null
  if (input.kind === 'move') {
    if (input.from_site !== undefined && input.from_zone !== undefined)
      [fromSite, fromZone] = [input.from_site, input.from_zone]
    else {
      insert.flush() // the terminal's latest event may be earlier in this batch
      const last = lastPlace(db, input.issuer, input.terminal)
      if (!last)
        throw ledgerError(
          'E_INPUT',
          `move of ${input.terminal}: no earlier event says where it was; give from_site and from_zone`,
        )
      ;[fromSite, fromZone] = [last.site, last.zone]
    }
  }
  return {
    issuer: input.issuer,
    seq,
    kind: input.kind,
    terminal: input.terminal,
    site: input.site ?? t.site,
    zone: input.zone ?? t.zone,
    from_site: fromSite,
    from_zone: fromZone,
    role: input.role ?? t.role,
    owner: input.owner ?? t.owner,
    host_key: input.host_key !== undefined ? input.host_key : (t.ssh.host_key ?? null),
    serial: input.serial !== undefined ? input.serial : (t.serial ?? null),
    macs: [...(input.macs ?? t.macs)],
    actor: input.actor,
    approver: input.approver,
    delegation: input.delegation?.trim() || null,
    occurred_at: input.occurred_at,
    recorded_at: recordedAt,
    note: input.note ?? null,
    prev_hash: prevHash,
    hash: '',
  }
}

function lastPlace(db: LedgerDb, issuer: string, terminal: string): {site: string; zone: string} | undefined {
  return prepare<[string, string], {site: string; zone: string}>(
    db,
    'SELECT site, zone FROM events WHERE issuer = ? AND terminal = ? ORDER BY seq DESC LIMIT 1',
  ).get(issuer, terminal)
}
