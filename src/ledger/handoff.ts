import type {KeyObject} from 'node:crypto'

import {ackChainHead} from './acks.js'
import {ledgerError} from './errors.js'
import {eventChainHead} from './events.js'
import {canonicalContent, canonicalEvent, hashAck, sha256Hex, withHash} from './hash.js'
import {HANDOFF_FORMAT, renderHandoff, type HandoffContent, type HandoffType} from './handoff-format.js'
import {readHandoff} from './handoff-check.js'
import {readPrivateKey, signText} from './keys.js'
import {EVENT_FIELDS_SQL, INSERT_ACK, INSERT_EVENT, ackFromRow, ackToRow, eventFromRaw, eventToRow, type AckRow, type RawEvent} from './rows.js'
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
    const records = type === 'events' ? readEvents(db, from, first) : readAcks(db, from, to, first)
    const prevHash = first === 1 ? null : hashAt(db, type, from, to, first - 1)
    const content: HandoffContent = {
      fleet_audit_handoff: HANDOFF_FORMAT,
      type,
      issuer: from,
      recipient: to,
      created_at: now.toISOString(),
      first_seq: first,
      last_seq: first + records.length - 1,
      count: records.length,
      prev_hash: prevHash,
      last_hash: records.at(-1)?.hash ?? prevHash,
      [type]: records,
    }
    const eventTexts = checkBeforeSigning(type, from, records, prevHash)
    const signature = signText(canonicalContent(content as unknown as Record<string, unknown>, eventTexts), key)
    logHandoff(db, 'out', content, records.length, signature.value)
    return {type, text: renderHandoff(content, signature), issuer: from, recipient: to, first_seq: first, last_seq: content.last_seq, count: records.length}
  })
  return write.immediate()
}

/**
 * Re-derives every hash and link of the range about to be signed, so a ledger edited behind our back is never
 * laundered by a valid signature. Returns the events' canonical texts for the signature.
 */
function checkBeforeSigning(type: HandoffType, from: string, records: readonly (LedgerEvent | LedgerAck)[], prevHash: string | null): string[] | undefined {
  const texts: string[] | undefined = type === 'events' ? [] : undefined
  let prev = prevHash
  for (const record of records) {
    let computed: string
    if (texts) {
      const text = canonicalEvent(record as LedgerEvent)
      computed = sha256Hex(text)
      texts.push(withHash(text, record.hash))
    } else computed = hashAck(record as LedgerAck)
    if (computed !== record.hash || record.prev_hash !== prev)
      throw ledgerError('E_LEDGER_TAMPERED', `${from}'s ${type} seq ${record.seq} does not verify: refusing to sign it`, {hint: 'run `fleet-audit ledger verify`'})
    prev = record.hash
  }
  return texts
}

function readEvents(db: LedgerDb, issuer: string, first: number): LedgerEvent[] {
  // Raw rows (arrays) in a fixed column order: building 100,000 keyed row objects only to copy them cost a second.
  const statement = prepare<[string, number], unknown[]>(db, `SELECT ${EVENT_FIELDS_SQL} FROM events WHERE issuer = ? AND seq >= ? ORDER BY seq /* raw */`)
  return (statement.raw(true).all(issuer, first) as unknown as RawEvent[]).map(eventFromRaw)
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
      const insert = prepare(db, INSERT_EVENT)
      for (const e of fresh as LedgerEvent[]) insert.run(eventToRow(e, importedAt))
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
