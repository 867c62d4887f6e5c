import type {KeyObject} from 'node:crypto'

import type {Company} from '../model/types.js'
import {ackChainHead} from './acks.js'
import {LedgerError, ledgerError} from './errors.js'
import {eventChainHead} from './events.js'
import {ByteSink, DigestSink} from './bytes.js'
import {canonicalContent, canonicalContentAround, canonicalEvent, hashAck, sha256Hex, withHash} from './hash.js'
import {
  HANDOFF_FORMAT,
  renderEventRecord,
  renderHandoff,
  renderHead,
  renderSignature,
  type HandoffContent,
  type HandoffFile,
  type HandoffType,
} from './handoff-format.js'
import {readHandoff} from './handoff-check.js'
import {importEventsStreaming} from './handoff-stream.js'
import {currentHeads, headDisagreement, signHeads} from './heads.js'
import {signHandoff} from './handoff-sign.js'
import {keyFingerprint, readPrivateKey, readPublicKey} from './keys.js'
import {handoffEntryHash} from './migrations/index.js'
import {ledgerOwner} from './owner.js'
import {
  ACK_RECORD_COLUMNS,
  EVENT_RECORD_COLUMNS,
  EventInserter,
  ackFromRaw,
  eventFromRaw,
  insertAck,
  type RawRow,
} from './rows.js'
import {prepare, type LedgerDb} from './store.js'
import type {LedgerAck, LedgerEvent} from '../model/ledger.js'

/** Options for {@link exportHandoff} and {@link exportAcks}. */
export interface ExportOptions {
  /** The sending company: the issuer of the events, or the acknowledging company of the acks. */
  from: string
  /** The receiving company. */
  to: string
  /** Re-send from this seq; by default everything after the last export to `to`. */
  since?: number
  privateKeyPem: string
  /** The `--from` company's public_key as the inventory declares it: the private key must be its other half. */
  publicKeyPem: string
  now: Date
}

/** A written hand-off list. */
export interface ExportResult {
  type: HandoffType
  /** The file, as UTF-8 bytes: what is written (a 100,000-event list is 60 MB; it is never decoded to write it). */
  bytes: Buffer
  /** The file as text, decoded from `bytes` on first use (not enumerable: spreading a result does not decode it). */
  readonly text: string
  issuer: string
  recipient: string
  first_seq: number
  last_seq: number
  count: number
  /** The seq the other company has signed, in a receipt, that it holds of the chain sent (0: none yet). */
  confirmed: number
  /** The last seq sent to `recipient` before this list, and when (none: never). */
  previous?: {last_seq: number; at: string}
}

/** A list signed and ready to deliver; `commit` records it as sent (after the file was written). */
export interface PreparedExport {
  result: ExportResult
  commit(): void
}

/** Who is on which side of the barrier: a hand-off and an acknowledgement always cross it. */
export type Sides = readonly Pick<Company, 'id' | 'side'>[]

/** Refuses two companies on the same side (or unknown), naming both and their sides. */
export function checkAcross(companies: Sides, a: string, b: string, what: string): void {
  const side = (id: string): string | undefined => companies.find((c) => c.id === id)?.side
  const [sa, sb] = [side(a), side(b)]
  if (sa === undefined || sb === undefined)
    throw ledgerError(
      'E_BARRIER',
      `${what}: ${sa === undefined ? a : b} is not a company of the inventory, so its side of the barrier is unknown`,
    )
  if (sa === sb)
    throw ledgerError(
      'E_BARRIER',
      `${what}: ${a} (${sa}) and ${b} (${sb}) are on the same side of the barrier; only a company on the other side may receive or acknowledge it`,
    )
}

/** Options for {@link importHandoff} and {@link importAcks}. */
export interface ImportOptions {
  now: Date
  /** The importing company: a list addressed to anyone else is refused. */
  recipient?: string
  /** The companies and their sides: the sender and the recipient must be on different sides. */
  companies: Sides
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
  const prepared = prepareExport(db, 'events', options)
  prepared.commit()
  return prepared.result
}

/** Like {@link exportHandoff}, for the acknowledgements `from` made of `to`'s events. */
export function exportAcks(db: LedgerDb, options: ExportOptions): ExportResult {
  const prepared = prepareExport(db, 'acks', options)
  prepared.commit()
  return prepared.result
}

/**
 * Signs a list without recording it as sent: the caller writes it, then calls `commit`. A list that could not be
 * written is therefore never counted as handed over (the next export sends it again).
 */
export function prepareExport(db: LedgerDb, type: HandoffType, options: ExportOptions): PreparedExport {
  const {from, to} = options
  const key: KeyObject = readPrivateKey(options.privateKeyPem)
  const declared = readPublicKey(options.publicKeyPem)
  const [mine, theirs] = [keyFingerprint(key), keyFingerprint(declared)]
  if (mine !== theirs)
    throw ledgerError(
      'E_KEY_MISMATCH',
      `the key given is not ${from}'s: its public half is ${mine}, ${from}'s public_key in the inventory is ${theirs}`,
      {
        hint: `sign with ${from}'s own key (the .key file whose .pub is in the inventory); ${to} would refuse this list`,
      },
    )
  const built = db.transaction(() => buildList(db, type, options, key)).immediate()
  return {
    result: built.result,
    commit: () =>
      db
        .transaction(() => {
          const head = type === 'events' ? eventChainHead(db, from) : ackChainHead(db, from, to)
          if (head.seq !== built.headSeq || head.hash !== built.headHash)
            throw ledgerError(
              'E_LEDGER_CHANGED',
              `${from}'s ${type} changed while the list was being written; export again`,
            )
          logHandoff(db, 'out', built.content, built.result.count, built.signature, declared)
        })
        .immediate(),
  }
}

function buildList(
  db: LedgerDb,
  type: HandoffType,
  options: ExportOptions,
  key: KeyObject,
): {result: ExportResult; content: HandoffContent; signature: string; headSeq: number; headHash: string | null} {
  const {from, to, now} = options
  {
    const head = type === 'events' ? eventChainHead(db, from) : ackChainHead(db, from, to)
    if (head.imported)
      throw ledgerError(
        'E_CHAIN_IMPORTED',
        `the ${type} of ${from} in this ledger were imported: only ${from} can hand them off`,
      )
    const last = prepare<[string, string, string], {last_seq: number; at: string}>(
      db,
      `SELECT last_seq, at FROM handoffs WHERE direction = 'out' AND type = ? AND issuer = ? AND recipient = ? ORDER BY last_seq DESC, id DESC LIMIT 1`,
    ).get(type, from, to)
    const first = options.since ?? (last?.last_seq ?? 0) + 1
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
      heads: signHeads(currentHeads(db, from, to), from, key, now),
    } satisfies HandoffContent
    const extra = {confirmed: confirmedBy(db, type, from, to), ...(last ? {previous: last} : {})}
    if (type === 'events') {
      // Streamed: each row is checked, then written straight into the digest of the signed content and the YAML
      // bytes. The signed text starts with the keys that sort before "events" (count, created_at), so the rows are
      // counted first.
      const total = prepare<[string, number], {n: number}>(
        db,
        'SELECT count(*) AS n FROM events WHERE issuer = ? AND seq >= ?',
      ).get(from, first)!.n
      const [before] = canonicalContentAround({...header, last_seq: first + total - 1, count: total}, 'events')
      const list = streamEvents(db, from, first, prevHash, before, total)
      // One IMMEDIATE transaction: no row can come or go between the count and the read.
      if (list.count !== total)
        throw new Error(`internal error: counted ${total} events of ${from}, read ${list.count}`)
      const content: HandoffContent = {
        ...header,
        last_seq: first + list.count - 1,
        count: list.count,
        last_hash: list.lastHash ?? prevHash,
      }
      const [check, after] = canonicalContentAround(content as unknown as Record<string, unknown>, 'events')
      if (check !== before) throw new Error('internal error: the signed header changed while exporting')
      list.canonical.write(after)
      const signature = signHandoff(content, {digest: list.canonical.hex()}, key)
      list.yaml.write(renderSignature(signature))
      list.yaml.prepend(renderHead(content, list.count))
      const result = withText({
        type,
        bytes: list.yaml.bytes(),
        issuer: from,
        recipient: to,
        first_seq: first,
        last_seq: content.last_seq,
        count: list.count,
        ...extra,
      })
      return {result, content, signature: signature.value, headSeq: head.seq, headHash: head.hash}
    }
    const records = readAcks(db, from, to, first)
    const content: HandoffContent = {
      ...header,
      last_seq: first + records.length - 1,
      count: records.length,
      last_hash: records.at(-1)?.hash ?? prevHash,
      acks: records,
    }
    checkBeforeSigning(type, from, records, prevHash)
    const signature = signHandoff(
      content,
      {bytes: canonicalContent(content as unknown as Record<string, unknown>)},
      key,
    )
    const result = withText({
      type,
      bytes: Buffer.from(renderHandoff(content, signature), 'utf8'),
      issuer: from,
      recipient: to,
      first_seq: first,
      last_seq: content.last_seq,
      count: records.length,
      ...extra,
    })
    return {result, content, signature: signature.value, headSeq: head.seq, headHash: head.hash}
  }
}

/** The result with its `text` getter (decoded once, on first use). */
function withText(result: Omit<ExportResult, 'text'>): ExportResult {
  let text: string | undefined
  return Object.defineProperty(result, 'text', {
    get: () => (text ??= result.bytes.toString('utf8')),
    enumerable: false,
  }) as ExportResult
}

/** The highest seq of `from`'s chain that `to` has signed a receipt for (in a hand-off `to` sent here). */
function confirmedBy(db: LedgerDb, type: HandoffType, from: string, to: string): number {
  const rows = prepare<[string], {heads: string}>(
    db,
    `SELECT heads FROM handoffs WHERE direction = 'in' AND issuer = ?`,
  ).all(to)
  let best = 0
  for (const row of rows)
    for (const h of JSON.parse(row.heads) as {chain: string; company: string; about: string | null; seq: number}[])
      if (h.chain === type && h.company === from && (type === 'events' || h.about === to)) best = Math.max(best, h.seq)
  return best
}

/**
 * Re-derives every hash and link of the acks about to be signed, so a ledger edited behind our back is never
 * laundered by a valid signature ({@link streamEvents} does the same for events).
 */
function checkBeforeSigning(
  type: HandoffType,
  from: string,
  records: readonly LedgerAck[],
  prevHash: string | null,
): void {
  let prev = prevHash
  for (const record of records) {
    if (hashAck(record) !== record.hash || record.prev_hash !== prev)
      throw ledgerError(
        'E_LEDGER_TAMPERED',
        `${from}'s ${type} seq ${record.seq} does not verify: refusing to sign it`,
        {hint: 'run `fleet-audit ledger verify`'},
      )
    prev = record.hash
  }
}

/**
 * Reads `issuer`'s events from `first` on, in seq order, re-deriving every hash and link as {@link checkBeforeSigning}
 * does, and writes each one's canonical JSON (after `before`, joined by `,`) into the digest the signature names, and
 * its YAML record. One row at a time: nothing per event outlives its iteration, so 100,000 events leave one buffer
 * (the file) and little garbage.
 */
function streamEvents(
  db: LedgerDb,
  issuer: string,
  first: number,
  prevHash: string | null,
  before: string,
  expected: number,
): {count: number; lastHash: string | null; canonical: DigestSink; yaml: ByteSink} {
  const statement = prepare<[string, number], unknown[]>(
    db,
    `SELECT ${EVENT_RECORD_COLUMNS} FROM events WHERE issuer = ? AND seq >= ? ORDER BY seq /* raw */`,
  )
  // ~600 bytes per event; a guess that is too small only costs a copy. The YAML keeps room before the records for
  // the file's head, which is rendered last (it names the last hash).
  const canonical = new DigestSink()
  const yaml = new ByteSink(expected * 640 + 65_536, 16_384)
  canonical.write(before)
  let count = 0
  let prev = prevHash
  for (const row of statement.raw(true).iterate(issuer, first) as IterableIterator<RawRow>) {
    const event = eventFromRaw(row)
    const text = canonicalEvent(event)
    if (sha256Hex(text) !== event.hash || event.prev_hash !== prev)
      throw ledgerError(
        'E_LEDGER_TAMPERED',
        `${issuer}'s events seq ${event.seq} does not verify: refusing to sign it`,
        {hint: 'run `fleet-audit ledger verify`'},
      )
    prev = event.hash
    if (count++ > 0) canonical.write(',')
    canonical.write(withHash(text, event.hash))
    yaml.write(renderEventRecord(event))
  }
  return {count, lastHash: count > 0 ? prev : null, canonical, yaml}
}

function readAcks(db: LedgerDb, acker: string, issuer: string, first: number): LedgerAck[] {
  const statement = prepare<[string, string, number], RawRow>(
    db,
    `SELECT ${ACK_RECORD_COLUMNS} FROM acks WHERE acker = ? AND issuer = ? AND seq >= ? ORDER BY seq /* raw */`,
  )
  return (statement.raw(true).all(acker, issuer, first) as RawRow[]).map(ackFromRaw)
}

function hashAt(db: LedgerDb, type: HandoffType, from: string, to: string, seq: number): string | null {
  const row =
    type === 'events'
      ? prepare<[string, number], {hash: string}>(db, 'SELECT hash FROM events WHERE issuer = ? AND seq = ?').get(
          from,
          seq,
        )
      : prepare<[string, string, number], {hash: string}>(
          db,
          'SELECT hash FROM acks WHERE acker = ? AND issuer = ? AND seq = ?',
        ).get(from, to, seq)
  return row?.hash ?? null
}

/**
 * Appends a hand-off record, with the signed heads it carried and the sender's public key, to the hand-off chain:
 * each record's `entry_hash` covers its fields and the previous record's hash, so `verify` names an edited or
 * deleted one.
 */
function logHandoff(
  db: LedgerDb,
  direction: 'in' | 'out',
  c: HandoffContent,
  added: number,
  signature: string,
  senderKey: KeyObject,
): void {
  const last = prepare<[], {id: number; entry_hash: string}>(
    db,
    'SELECT id, entry_hash FROM handoffs ORDER BY id DESC LIMIT 1',
  ).get()
  const row = {
    id: (last?.id ?? 0) + 1,
    direction,
    type: c.type,
    issuer: c.issuer,
    recipient: c.recipient,
    first_seq: c.first_seq,
    last_seq: c.last_seq,
    count: c.count,
    added,
    prev_hash: c.prev_hash,
    last_hash: c.last_hash,
    signature,
    at: c.created_at,
    heads: JSON.stringify(c.heads),
    sender_key: senderKey.export({type: 'spki', format: 'pem'}).toString(),
    entry_prev: last?.entry_hash ?? null,
  }
  prepare(
    db,
    `INSERT INTO handoffs (id, direction, type, issuer, recipient, first_seq, last_seq, count, added, prev_hash, last_hash, signature, at, heads, sender_key, entry_prev, entry_hash)
     VALUES (@id, @direction, @type, @issuer, @recipient, @first_seq, @last_seq, @count, @added, @prev_hash, @last_hash, @signature, @at, @heads, @sender_key, @entry_prev, @entry_hash)`,
  ).run({...row, entry_hash: handoffEntryHash(row)})
}

/**
 * Imports a signed list of events (or, by its `type`, of acks) from `senderPublicKey`'s company. Refuses, naming
 * the seq, anything that does not continue what was imported before: a missing, repeated, altered or reordered
 * record. Records already present are compared, not re-added: importing the same list twice changes nothing.
 * All or nothing: one transaction. `text` is the file, or the file as `parseHandoff` read it (a caller that
 * looked at its header first), which is then checked without being read again.
 */
export function importHandoff(
  db: LedgerDb,
  text: string | HandoffFile,
  senderPublicKey: string | KeyObject,
  options: ImportOptions,
): ImportResult {
  const key = typeof senderPublicKey === 'string' ? readPublicKey(senderPublicKey) : senderPublicKey
  if (typeof text === 'string') {
    const streamed = importStreaming(db, text, () => key, options)
    if (streamed) return streamed
  }
  return importList(db, text, key, options)
}

/**
 * The one-pass import of a list of new events (handoff-stream.ts), with the same checks as {@link importHandoff};
 * undefined, with nothing written, for any file it does not take whole: the caller then imports it with
 * {@link importHandoff} given the parsed file, which refuses it with its position or imports it (acks, a re-import).
 * `keyFor` gives the sender's key from the header (issuer, recipient), or undefined when the caller would refuse it.
 */
export function importStreaming(
  db: LedgerDb,
  text: string,
  keyFor: (header: Record<string, unknown>) => string | KeyObject | undefined,
  options: ImportOptions,
): ImportResult | undefined {
  let issuer = ''
  let recipient = ''
  return importEventsStreaming<ImportResult>(
    db,
    text,
    {
      begin(header) {
        issuer = header.issuer as string
        recipient = header.recipient as string
        checkAcross(options.companies, issuer, recipient, `a list of events from ${issuer} to ${recipient}`)
        const given = keyFor(header)
        if (given === undefined) return undefined
        const key = typeof given === 'string' ? readPublicKey(given) : given
        const head = eventChainHead(db, issuer)
        return head.seq > 0 && !head.imported ? undefined : {key, head}
      },
      stored: (seq) => hashAt(db, 'events', issuer, recipient, seq),
      end(content, added, signature, key) {
        checkHeads(db, content, options.file)
        logHandoff(db, 'in', content, added, signature.value, key)
        return result(content, added)
      },
    },
    {importedAt: options.now.toISOString(), recipient: options.recipient},
  )
}

/** Imports a signed list of acknowledgements; refuses a list of events. */
export function importAcks(
  db: LedgerDb,
  text: string | HandoffFile,
  senderPublicKey: string | KeyObject,
  options: ImportOptions,
): ImportResult {
  return importList(db, text, senderPublicKey, options, 'acks')
}

function importList(
  db: LedgerDb,
  text: string | HandoffFile,
  senderPublicKey: string | KeyObject,
  options: ImportOptions,
  only?: HandoffType,
): ImportResult {
  const senderKey = typeof senderPublicKey === 'string' ? readPublicKey(senderPublicKey) : senderPublicKey
  const verified = readHandoff(text, senderKey, {file: options.file, recipient: options.recipient, type: only})
  const {content} = verified
  const type = content.type
  const file = options.file
  try {
    checkAcross(
      options.companies,
      content.issuer,
      content.recipient,
      `a list of ${type} from ${content.issuer} to ${content.recipient}`,
    )
  } catch (error) {
    throw ledgerError('E_BARRIER', (error as {problems: {message: string}[]}).problems[0].message, {file})
  }
  const importedAt = options.now.toISOString()
  const run = db.transaction((): ImportResult => {
    const head =
      type === 'events' ? eventChainHead(db, content.issuer) : ackChainHead(db, content.issuer, content.recipient)
    if (head.seq > 0 && !head.imported)
      throw ledgerError(
        'E_CHAIN_LOCAL',
        `this ledger records ${content.issuer}'s ${type} itself; it cannot also import them`,
        {file},
      )
    const fresh: (LedgerEvent | LedgerAck)[] = []
    for (const record of verified.records) {
      if (record.seq <= head.seq) {
        const stored = hashAt(db, type, content.issuer, content.recipient, record.seq)
        if (stored !== record.hash)
          throw ledgerError(
            'E_HANDOFF_CONFLICT',
            `seq ${record.seq} differs from the seq ${record.seq} imported before (altered, or ${content.issuer} rewrote its chain)`,
            {file},
          )
      } else fresh.push(record)
    }
    if (fresh.length === 0) {
      if (content.count === 0 && content.first_seq > head.seq + 1)
        throw ledgerError('E_HANDOFF_GAP', `seqs ${head.seq + 1}..${content.first_seq - 1} are missing`, {
          file,
          hint: `ask ${content.issuer} to export again with --since ${head.seq + 1}`,
        })
      checkHeads(db, content, file)
      // Nothing new, but new signed heads are evidence worth keeping; a replay of a list kept before changes nothing.
      const seen = prepare<[string], {n: number}>(
        db,
        `SELECT count(*) AS n FROM handoffs WHERE direction = 'in' AND signature = ?`,
      ).get(verified.signature.value)!.n
      if (seen === 0) logHandoff(db, 'in', content, 0, verified.signature.value, senderKey)
      return result(content, 0)
    }
    const first = fresh[0]
    if (first.seq !== head.seq + 1)
      throw ledgerError(
        'E_HANDOFF_GAP',
        `seq ${head.seq + 1}${first.seq - 1 > head.seq + 1 ? `..${first.seq - 1}` : ''} missing: the last imported is ${head.seq}, this list continues at ${first.seq}`,
        {
          file,
          hint: `ask ${content.issuer} to export again with --since ${head.seq + 1}`,
        },
      )
    if (first.prev_hash !== head.hash)
      throw ledgerError(
        'E_HANDOFF_CONFLICT',
        `seq ${first.seq} does not follow the seq ${head.seq} imported before (its prev_hash differs)`,
        {file},
      )
    if (type === 'events') {
      const insert = new EventInserter(db, importedAt, fresh.length)
      for (const e of fresh as LedgerEvent[]) insert.add(e)
      insert.finish()
    } else {
      const eventHash = prepare<[string, number], {hash: string}>(
        db,
        'SELECT hash FROM events WHERE issuer = ? AND seq = ?',
      )
      for (const a of fresh as LedgerAck[]) {
        const stored = eventHash.get(a.issuer, a.event_seq)
        if (!stored)
          throw ledgerError(
            'E_HANDOFF_REF',
            `ack ${a.seq} acknowledges event ${a.issuer}#${a.event_seq}, which this ledger does not have`,
            {file},
          )
        if (stored.hash !== a.event_hash)
          throw ledgerError(
            'E_HANDOFF_REF',
            `ack ${a.seq} acknowledges a different version of event ${a.issuer}#${a.event_seq} (hash differs)`,
            {file},
          )
        insertAck(db, a, importedAt)
      }
    }
    checkHeads(db, content, file)
    logHandoff(db, 'in', content, fresh.length, verified.signature.value, senderKey)
    return result(content, fresh.length)
  })
  return run.immediate()
}

/**
 * The sender's signed heads against this database: a head of a chain this database holds (or owns) must match it.
 * A mismatch means one side's chain was rewritten after the other saw it: refused, naming the chain and seq.
 */
function checkHeads(db: LedgerDb, content: HandoffContent, file: string | undefined): void {
  const owner = ledgerOwner(db)?.company ?? content.recipient
  const problems = content.heads.flatMap((h) => {
    const why = headDisagreement(db, h, owner)
    return why
      ? [
          {
            code: 'E_HEAD_CONFLICT',
            message: why,
            file,
            hint: 'run `fleet-audit ledger verify`; the signed head in this list is evidence: keep the file',
          },
        ]
      : []
  })
  if (problems.length > 0) throw new LedgerError(problems)
}

function result(c: HandoffContent, added: number): ImportResult {
  return {
    type: c.type,
    issuer: c.issuer,
    recipient: c.recipient,
    first_seq: c.first_seq,
    last_seq: c.last_seq,
    count: c.count,
    added,
    status: added > 0 ? 'imported' : 'unchanged',
  }
}
