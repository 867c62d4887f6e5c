import type {KeyObject} from 'node:crypto'

import {ackChainHead} from './acks.js'
import {ledgerError} from './errors.js'
import {eventChainHead} from './events.js'
import {ByteSink} from './bytes.js'
import {canonicalContent, canonicalContentAround, canonicalEvent, hashAck, sha256Hex, withHash} from './hash.js'
import {HANDOFF_FORMAT, renderHandoff, renderHead, renderRecord, renderSignature, type HandoffContent, type HandoffType} from './handoff-format.js'
import {readHandoff} from './handoff-check.js'
import {readPrivateKey, signText} from './keys.js'
import {EVENT_FIELDS_SQL, EventInserter, INSERT_ACK, ackFromRow, ackToRow, eventFromRaw, type AckRow, type RawEvent} from './rows.js'
import {prepare, type LedgerDb} from './store.js'
import type {LedgerAck, LedgerEvent} from './types.js'

/** Options for {@link exportHandoff} and {@link exportAcks}. */
export interface ExportOptions {
  /** The sending company: the issuer of the events, or the acknowledging company of the acks. */
  from: string
  /** The receiving company. */
  to: string
  /** Re-send from this seq; by default everything after the last export to `to`. */
  since?: number
  privateKeyPem: string
  now: Date
}

/** A written hand-off list. */
export interface ExportResult {
  type: HandoffType
  text: string
  issuer: string
  recipient: string
  first_seq: number
  last_seq: number
  count: number
}

/** Options for {@link importHandoff} and {@link importAcks}. */
export interface ImportOptions {
  now: Date
  /** The importing company: a list addressed to anyone else is refused. */
  recipient?: string
  /** For messages. */
  file?: string
}

/** What an import did; `unchanged` when every record was already there (a re-import or a replay). */
export interface ImportResult {
  type: HandoffType
  issuer: string
  recipient: string
  first_seq: number
  last_seq: number
  count: number
  added: number
  status: 'imported' | 'unchanged'
}

/** Signs and renders the events of `from` since the last export to `to` (or since `since`), and records the export. */
export function exportHandoff(db: LedgerDb, options: ExportOptions): ExportResult {
  return exportList(db, 'events', options)
}

/** Like {@link exportHandoff}, for the acknowledgements `from` made of `to`'s events. */
export function exportAcks(db: LedgerDb, options: ExportOptions): ExportResult {
  return exportList(db, 'acks', options)
}

function exportList(db: LedgerDb, type: HandoffType, options: ExportOptions): ExportResult {
  const {from, to, now} = options
  const key: KeyObject = readPrivateKey(options.privateKeyPem)
  const write = db.transaction((): ExportResult => {
    const head = type === 'events' ? eventChainHead(db, from) : ackChainHead(db, from, to)
    if (head.imported) throw ledgerError('E_CHAIN_IMPORTED', `the ${type} of ${from} in this ledger were imported: only ${from} can hand them off`)
    const last = prepare<[string, string, string], {last: number | null}>(
      db,
      `SELECT MAX(last_seq) AS last FROM handoffs WHERE direction = 'out' AND type = ? AND issuer = ? AND recipient = ?`,
    ).get(type, from, to)
    const first = options.since ?? (last?.last ?? 0) + 1
    if (!Number.isInteger(first) || first < 1 || first > head.seq + 1)
      throw ledgerError('E_INPUT', `--since ${first} is outside ${from}'s ${type} 1..${head.seq}`)
    const prevHash = first === 1 ? null : hashAt(db, type, from, to, first - 1)
    const header = {
      fleet_audit_handoff: HANDOFF_FORMAT,
      type,
      issuer: from,
      recipient: to,
      created_at: now.toISOString(),
      first_seq: first,
      last_seq: first - 1,
      count: 0,
      prev_hash: prevHash,
      last_hash: prevHash,
    } satisfies HandoffContent
    if (type === 'events') {
      // Streamed: each row is checked, then written straight into the signed bytes and the YAML bytes. The signed
      // text starts with the keys that sort before "events" (count, created_at), so the rows are counted first.
      const total = prepare<[string, number], {n: number}>(db, 'SELECT count(*) AS n FROM events WHERE issuer = ? AND seq >= ?').get(from, first)!.n
      const [before] = canonicalContentAround({...header, last_seq: first + total - 1, count: total}, 'events')
      const list = streamEvents(db, from, first, prevHash, before, total)
      // One IMMEDIATE transaction: no row can come or go between the count and the read.
      if (list.count !== total) throw new Error(`internal error: counted ${total} events of ${from}, read ${list.count}`)
      const content: HandoffContent = {...header, last_seq: first + list.count - 1, count: list.count, last_hash: list.lastHash ?? prevHash}
      const [check, after] = canonicalContentAround(content as unknown as Record<string, unknown>, 'events')
      if (check !== before) throw new Error('internal error: the signed header changed while exporting')
      list.canonical.write(after)
      const signature = signText(list.canonical.bytes(), key)
      logHandoff(db, 'out', content, list.count, signature.value)
      const text = renderHead(content, list.count) + list.yaml.bytes().toString('utf8') + renderSignature(signature)
      return {type, text, issuer: from, recipient: to, first_seq: first, last_seq: content.last_seq, count: list.count}
    }
    const records = readAcks(db, from, to, first)
    const content: HandoffContent = {...header, last_seq: first + records.length - 1, count: records.length, last_hash: records.at(-1)?.hash ?? prevHash, acks: records}
    checkBeforeSigning(type, from, records, prevHash)
    const signature = signText(canonicalContent(content as unknown as Record<string, unknown>), key)
    logHandoff(db, 'out', content, records.length, signature.value)
    return {type, text: renderHandoff(content, signature), issuer: from, recipient: to, first_seq: first, last_seq: content.last_seq, count: records.length}
  })
  return write.immediate()
}

/**
 * Re-derives every hash and link of the acks about to be signed, so a ledger edited behind our back is never
 * laundered by a valid signature ({@link streamEvents} does the same for events).
 */
function checkBeforeSigning(type: HandoffType, from: string, records: readonly LedgerAck[], prevHash: string | null): void {
  let prev = prevHash
  for (const record of records) {
    if (hashAck(record) !== record.hash || record.prev_hash !== prev)
      throw ledgerError('E_LEDGER_TAMPERED', `${from}'s ${type} seq ${record.seq} does not verify: refusing to sign it`, {hint: 'run `fleet-audit ledger verify`'})
    prev = record.hash
  }
}

/**
 * Reads `issuer`'s events from `first` on, in seq order, re-deriving every hash and link as {@link checkBeforeSigning}
 * does, and writes each one's canonical JSON (after `before`, joined by `,`, for the signature) and its YAML record.
 * One row at a time: nothing per event outlives its iteration, so 100,000 events leave two buffers and little garbage.
 */
function streamEvents(
  db: LedgerDb,
  issuer: string,
  first: number,
  prevHash: string | null,
  before: string,
  expected: number,
): {count: number; lastHash: string | null; canonical: ByteSink; yaml: ByteSink} {
  const statement = prepare<[string, number], unknown[]>(db, `SELECT ${EVENT_FIELDS_SQL} FROM events WHERE issuer = ? AND seq >= ? ORDER BY seq /* raw */`)
  // ~600 bytes per event either way; a guess that is too small only costs a copy.
  const canonical = new ByteSink(expected * 640 + 65_536)
  const yaml = new ByteSink(expected * 640 + 65_536)
  canonical.write(before)
  let count = 0
  let prev = prevHash
  for (const row of statement.raw(true).iterate(issuer, first) as IterableIterator<RawEvent>) {
    const event = eventFromRaw(row)
    const text = canonicalEvent(event)
    if (sha256Hex(text) !== event.hash || event.prev_hash !== prev)
      throw ledgerError('E_LEDGER_TAMPERED', `${issuer}'s events seq ${event.seq} does not verify: refusing to sign it`, {hint: 'run `fleet-audit ledger verify`'})
    prev = event.hash
    if (count++ > 0) canonical.write(',')
    canonical.write(withHash(text, event.hash))
    yaml.write(renderRecord(event))
  }
  return {count, lastHash: count > 0 ? prev : null, canonical, yaml}
}

function readAcks(db: LedgerDb, acker: string, issuer: string, first: number): LedgerAck[] {
  const rows = prepare<[string, string, number], AckRow>(db, 'SELECT * FROM acks WHERE acker = ? AND issuer = ? AND seq >= ? ORDER BY seq').all(acker, issuer, first)
  return rows.map(ackFromRow)
}

function hashAt(db: LedgerDb, type: HandoffType, from: string, to: string, seq: number): string | null {
  const row =
    type === 'events'
      ? prepare<[string, number], {hash: string}>(db, 'SELECT hash FROM events WHERE issuer = ? AND seq = ?').get(from, seq)
      : prepare<[string, string, number], {hash: string}>(db, 'SELECT hash FROM acks WHERE acker = ? AND issuer = ? AND seq = ?').get(from, to, seq)
  return row?.hash ?? null
}

function logHandoff(db: LedgerDb, direction: 'in' | 'out', c: HandoffContent, added: number, signature: string): void {
  prepare(
    db,
    `INSERT INTO handoffs (direction, type, issuer, recipient, first_seq, last_seq, count, added, prev_hash, last_hash, signature, at)
     VALUES (@direction, @type, @issuer, @recipient, @first_seq, @last_seq, @count, @added, @prev_hash, @last_hash, @signature, @at)`,
  ).run({direction, type: c.type, issuer: c.issuer, recipient: c.recipient, first_seq: c.first_seq, last_seq: c.last_seq, count: c.count, added, prev_hash: c.prev_hash, last_hash: c.last_hash, signature, at: c.created_at})
}

/**
 * Imports a signed list of events (or, by its `type`, of acks) from `senderPublicKey`'s company. Refuses, naming
 * the seq, anything that does not continue what was imported before: a missing, repeated, altered or reordered
 * record. Records already present are compared, not re-added: importing the same list twice changes nothing.
 * All or nothing: one transaction.
 */
export function importHandoff(db: LedgerDb, text: string, senderPublicKey: string | KeyObject, options: ImportOptions): ImportResult {
  return importList(db, text, senderPublicKey, options)
}

/** Imports a signed list of acknowledgements; refuses a list of events. */
export function importAcks(db: LedgerDb, text: string, senderPublicKey: string | KeyObject, options: ImportOptions): ImportResult {
  return importList(db, text, senderPublicKey, options, 'acks')
}

function importList(db: LedgerDb, text: string, senderPublicKey: string | KeyObject, options: ImportOptions, only?: HandoffType): ImportResult {
  const verified = readHandoff(text, senderPublicKey, {file: options.file, recipient: options.recipient, type: only})
  const {content} = verified
  const type = content.type
  const file = options.file
  const importedAt = options.now.toISOString()
  const run = db.transaction((): ImportResult => {
    const head = type === 'events' ? eventChainHead(db, content.issuer) : ackChainHead(db, content.issuer, content.recipient)
    if (head.seq > 0 && !head.imported)
      throw ledgerError('E_CHAIN_LOCAL', `this ledger records ${content.issuer}'s ${type} itself; it cannot also import them`, {file})
    const fresh: (LedgerEvent | LedgerAck)[] = []
    for (const record of verified.records) {
      if (record.seq <= head.seq) {
        const stored = hashAt(db, type, content.issuer, content.recipient, record.seq)
        if (stored !== record.hash)
          throw ledgerError('E_HANDOFF_CONFLICT', `seq ${record.seq} differs from the seq ${record.seq} imported before (altered, or ${content.issuer} rewrote its chain)`, {file})
      } else fresh.push(record)
    }
    if (fresh.length === 0) {
      if (content.count === 0 && content.first_seq > head.seq + 1)
        throw ledgerError('E_HANDOFF_GAP', `seqs ${head.seq + 1}..${content.first_seq - 1} are missing`, {file, hint: `ask ${content.issuer} to export again with --since ${head.seq + 1}`})
      return result(content, 0)
    }
    const first = fresh[0]
    if (first.seq !== head.seq + 1)
      throw ledgerError('E_HANDOFF_GAP', `seq ${head.seq + 1}${first.seq - 1 > head.seq + 1 ? `..${first.seq - 1}` : ''} missing: the last imported is ${head.seq}, this list continues at ${first.seq}`, {
        file,
        hint: `ask ${content.issuer} to export again with --since ${head.seq + 1}`,
      })
    if (first.prev_hash !== head.hash)
      throw ledgerError('E_HANDOFF_CONFLICT', `seq ${first.seq} does not follow the seq ${head.seq} imported before (its prev_hash differs)`, {file})
    if (type === 'events') {
      const insert = new EventInserter(db, importedAt, fresh.length)
      for (const e of fresh as LedgerEvent[]) insert.add(e)
      insert.finish()
    } else {
      const insert = prepare(db, INSERT_ACK)
      const eventHash = prepare<[string, number], {hash: string}>(db, 'SELECT hash FROM events WHERE issuer = ? AND seq = ?')
      for (const a of fresh as LedgerAck[]) {
        const stored = eventHash.get(a.issuer, a.event_seq)
        if (!stored) throw ledgerError('E_HANDOFF_REF', `ack ${a.seq} acknowledges event ${a.issuer}#${a.event_seq}, which this ledger does not have`, {file})
        if (stored.hash !== a.event_hash)
          throw ledgerError('E_HANDOFF_REF', `ack ${a.seq} acknowledges a different version of event ${a.issuer}#${a.event_seq} (hash differs)`, {file})
        insert.run(ackToRow(a, importedAt))
      }
    }
    logHandoff(db, 'in', content, fresh.length, verified.signature.value)
    return result(content, fresh.length)
  })
  return run.immediate()
}

function result(c: HandoffContent, added: number): ImportResult {
  return {type: c.type, issuer: c.issuer, recipient: c.recipient, first_seq: c.first_seq, last_seq: c.last_seq, count: c.count, added, status: added > 0 ? 'imported' : 'unchanged'}
}
