import type {LedgerAck, LedgerEvent} from './types.js'

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

export const ACK_COLUMNS =
  'acker, issuer, seq, event_seq, event_hash, state, evidence, actor, checked_at, recorded_at, note, prev_hash, hash, imported_at'
export const INSERT_ACK = `INSERT INTO acks (${ACK_COLUMNS}) VALUES (${ACK_COLUMNS.split(', ')
  .map((c) => '@' + c)
  .join(', ')})`
