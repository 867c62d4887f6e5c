import Database from 'better-sqlite3'

import {prepare, type LedgerDb} from './store.js'
import type {LedgerAck, LedgerEvent} from '../model/ledger.js'

/** An `events` row as SQLite returns it. */
export type EventRow = Omit<LedgerEvent, 'macs'> & {macs: string; imported_at: string | null}
/** An `acks` row as SQLite returns it. */
export type AckRow = Omit<LedgerAck, 'evidence'> & {evidence: string; imported_at: string | null}

// Object literals written out field by field rather than `{...rest}`: these run 100,000 times per bulk
// operation, and V8's rest/spread copy was a visible share of the time and of the garbage.

/** The event of a row, fields in record order (the order a hand-off file shows them). */
export function eventFromRow(r: EventRow): LedgerEvent {
  return {
    issuer: r.issuer,
    seq: r.seq,
    kind: r.kind,
    terminal: r.terminal,
    site: r.site,
    zone: r.zone,
    from_site: r.from_site,
    from_zone: r.from_zone,
    role: r.role,
    owner: r.owner,
    host_key: r.host_key,
    serial: r.serial,
    macs: JSON.parse(r.macs) as string[],
    actor: r.actor,
    approver: r.approver,
    delegation: r.delegation,
    occurred_at: r.occurred_at,
    recorded_at: r.recorded_at,
    note: r.note,
    prev_hash: r.prev_hash,
    hash: r.hash,
  }
}

/** The event columns in record order, for `raw` reads. */
export const EVENT_FIELDS_SQL =
  'issuer, seq, kind, terminal, site, zone, from_site, from_zone, role, owner, host_key, serial, macs, actor, approver, delegation, occurred_at, recorded_at, note, prev_hash, hash'
/** A row read with `raw(true)` from {@link EVENT_FIELDS_SQL}. */
export type RawEvent = [string, number, LedgerEvent['kind'], string, string, string, string | null, string | null, LedgerEvent['role'], string, string | null, string | null, string, string, string, string | null, string, string, string | null, string | null, string]

export function eventFromRaw(r: RawEvent): LedgerEvent {
  return {
    issuer: r[0],
    seq: r[1],
    kind: r[2],
    terminal: r[3],
    site: r[4],
    zone: r[5],
    from_site: r[6],
    from_zone: r[7],
    role: r[8],
    owner: r[9],
    host_key: r[10],
    serial: r[11],
    macs: JSON.parse(r[12]) as string[],
    actor: r[13],
    approver: r[14],
    delegation: r[15],
    occurred_at: r[16],
    recorded_at: r[17],
    note: r[18],
    prev_hash: r[19],
    hash: r[20],
  }
}

export function eventToRow(e: LedgerEvent, importedAt: string | null): EventRow {
  return {
    issuer: e.issuer,
    seq: e.seq,
    kind: e.kind,
    terminal: e.terminal,
    site: e.site,
    zone: e.zone,
    from_site: e.from_site,
    from_zone: e.from_zone,
    role: e.role,
    owner: e.owner,
    host_key: e.host_key,
    serial: e.serial,
    macs: JSON.stringify(e.macs),
    actor: e.actor,
    approver: e.approver,
    delegation: e.delegation,
    occurred_at: e.occurred_at,
    recorded_at: e.recorded_at,
    note: e.note,
    prev_hash: e.prev_hash,
    hash: e.hash,
    imported_at: importedAt,
  }
}

/** The ack of a row, fields in record order. */
export function ackFromRow(r: AckRow): LedgerAck {
  return {
    acker: r.acker,
    issuer: r.issuer,
    seq: r.seq,
    event_seq: r.event_seq,
    event_hash: r.event_hash,
    state: r.state,
    evidence: JSON.parse(r.evidence) as LedgerAck['evidence'],
    actor: r.actor,
    checked_at: r.checked_at,
    recorded_at: r.recorded_at,
    note: r.note,
    prev_hash: r.prev_hash,
    hash: r.hash,
  }
}

export function ackToRow(a: LedgerAck, importedAt: string | null): AckRow {
  return {...a, evidence: JSON.stringify(a.evidence), imported_at: importedAt}
}

export const EVENT_COLUMNS =
  'issuer, seq, kind, terminal, site, zone, from_site, from_zone, role, owner, host_key, serial, macs, actor, approver, delegation, occurred_at, recorded_at, note, prev_hash, hash, imported_at'
export const INSERT_EVENT = `INSERT INTO events (${EVENT_COLUMNS}) VALUES (${EVENT_COLUMNS.split(', ')
  .map((c) => '@' + c)
  .join(', ')})`

const EVENT_COLUMN_COUNT = EVENT_COLUMNS.split(', ').length
/** Rows per multi-row INSERT: 64 × 22 = 1,408 parameters, well under SQLite's limit of 32,766. */
const EVENTS_PER_STATEMENT = 64
const insertSql = (rows: number): string => {
  const one = '(' + Array.from({length: EVENT_COLUMN_COUNT}, () => '?').join(', ') + ')'
  return `INSERT INTO events (${EVENT_COLUMNS}) VALUES ${Array.from({length: rows}, () => one).join(', ')}`
}
const INSERT_ONE = insertSql(1)
const INSERT_MANY = insertSql(EVENTS_PER_STATEMENT)

/** From this many events on, {@link EventInserter} checks the chain once for the batch instead of row by row. */
export const BULK_CHAIN_CHECK_MIN = 1000

/** The events_chain trigger's condition, for every row of an issuer's seq range at once. */
const CHAIN_BROKEN = `
  SELECT e.seq FROM events e WHERE e.issuer = ? AND e.seq BETWEEN ? AND ?
    AND NOT CASE WHEN e.seq = 1 THEN e.prev_hash IS NULL
      ELSE EXISTS (SELECT 1 FROM events p WHERE p.issuer = e.issuer AND p.seq = e.seq - 1 AND p.hash = e.prev_hash) END
  LIMIT 1`

/**
 * Appends events to the `events` table in the order given, through the same constraints as {@link INSERT_EVENT}:
 * positional parameters (binding 22 named ones per row cost a quarter of the insert) and 64 rows per statement.
 * `add` only queues; `flush` writes what is queued (call it before reading the table again); `finish` writes the
 * rest and must be called before the caller's transaction ends. Any failure throws inside the caller's transaction,
 * so the whole batch rolls back.
 *
 * A bulk batch (`expected` >= {@link BULK_CHAIN_CHECK_MIN}) runs the `events_chain` trigger's check once over the
 * batch instead of once per row (a trigger program per row was a fifth of a bulk insert): the first `add` drops the
 * trigger inside the caller's write transaction and `finish` checks every inserted row with the trigger's own
 * condition, then re-creates the trigger from its stored SQL, still in that transaction. The write lock is held
 * throughout and a failure or crash rolls the drop back with the rows, so every committed state has the trigger,
 * and every other writer (another process, the sqlite3 tool) still meets it on every row.
 */
export class EventInserter {
  private readonly many
  private readonly one
  private readonly values: unknown[] = new Array(EVENT_COLUMN_COUNT * EVENTS_PER_STATEMENT)
  private queued = 0
  private readonly bulk: boolean
  /** The trigger's CREATE statement while it is dropped for this batch; null when it was not there to drop. */
  private triggerSql: string | null | undefined
  /** Seq range written per issuer, for the batch check. */
  private readonly ranges = new Map<string, [number, number]>()

  constructor(
    private readonly db: LedgerDb,
    private readonly importedAt: string | null,
    expected: number,
  ) {
    this.many = prepare<unknown[]>(db, INSERT_MANY)
    this.one = prepare<unknown[]>(db, INSERT_ONE)
    this.bulk = expected >= BULK_CHAIN_CHECK_MIN
  }

  /** Queues one event. */
  add(e: LedgerEvent): void {
    if (this.bulk) {
      if (this.triggerSql === undefined) this.dropChainTrigger()
      const range = this.ranges.get(e.issuer)
      if (!range) this.ranges.set(e.issuer, [e.seq, e.seq])
      else {
        if (e.seq < range[0]) range[0] = e.seq
        if (e.seq > range[1]) range[1] = e.seq
      }
    }
    const v = this.values
    let i = this.queued * EVENT_COLUMN_COUNT
    v[i++] = e.issuer
    v[i++] = e.seq
    v[i++] = e.kind
    v[i++] = e.terminal
    v[i++] = e.site
    v[i++] = e.zone
    v[i++] = e.from_site
    v[i++] = e.from_zone
    v[i++] = e.role
    v[i++] = e.owner
    v[i++] = e.host_key
    v[i++] = e.serial
    v[i++] = JSON.stringify(e.macs)
    v[i++] = e.actor
    v[i++] = e.approver
    v[i++] = e.delegation
    v[i++] = e.occurred_at
    v[i++] = e.recorded_at
    v[i++] = e.note
    v[i++] = e.prev_hash
    v[i++] = e.hash
    v[i++] = this.importedAt
    if (++this.queued === EVENTS_PER_STATEMENT) {
      this.queued = 0
      this.many.run(v)
    }
  }

  /** Writes the queued events, one statement each. */
  flush(): void {
    const v = this.values
    for (let r = 0; r < this.queued; r++) this.one.run(v.slice(r * EVENT_COLUMN_COUNT, (r + 1) * EVENT_COLUMN_COUNT))
    this.queued = 0
  }

  /** Writes the rest; for a bulk batch, checks the chain of every row written and puts the trigger back. */
  finish(): void {
    this.flush()
    if (this.triggerSql === undefined) return
    const broken = prepare<[string, number, number], {seq: number}>(this.db, CHAIN_BROKEN)
    for (const [issuer, [first, last]] of this.ranges)
      if (broken.get(issuer, first, last))
        throw new Database.SqliteError('events must extend their chain: next seq, previous hash', 'SQLITE_CONSTRAINT_TRIGGER')
    if (this.triggerSql !== null) this.db.exec(this.triggerSql)
    this.triggerSql = undefined
  }

  private dropChainTrigger(): void {
    if (!this.db.inTransaction) throw new Error('EventInserter: a bulk insert must run inside a transaction')
    const row = prepare<[], {sql: string}>(this.db, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'events_chain' AND tbl_name = 'events'`).get()
    this.triggerSql = row?.sql ?? null
    if (row) this.db.exec('DROP TRIGGER events_chain')
  }
}

export const ACK_COLUMNS =
  'acker, issuer, seq, event_seq, event_hash, state, evidence, actor, checked_at, recorded_at, note, prev_hash, hash, imported_at'
export const INSERT_ACK = `INSERT INTO acks (${ACK_COLUMNS}) VALUES (${ACK_COLUMNS.split(', ')
  .map((c) => '@' + c)
  .join(', ')})`
