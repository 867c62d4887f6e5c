import type {KeyObject} from 'node:crypto'

import {HANDOFF_FORMATS} from '../model/ledger-fields.js'
import {ByteSink, DigestSink} from './bytes.js'
import {checkSignedHeads} from './handoff-check.js'
import type {HandoffContent} from './handoff-format.js'
import {handoffValidator} from './handoff-schema.js'
import {handoffSignatureValid} from './handoff-sign.js'
import {readYamlStreaming} from './handoff-yaml.js'
import {canonicalContentAround, canonicalEvent, sha256Hex, withHash} from './hash.js'
import type {Signature} from './keys.js'
import {EventInserter} from './rows.js'
import type {LedgerDb} from './store.js'
import type {LedgerEvent} from '../model/ledger.js'

/**
 * The one-pass import of a list of events: each event is read, shape-checked, hashed, linked, fed into the digest
 * (format 3) or the signed bytes (format 2) and inserted inside the open transaction as it is read, so no array of
 * 100,000 events is kept, nor (format 3) the 60 MB of canonical JSON. The signature, the counts, the end hashes and
 * the signed heads are checked at the end; anything amiss rolls back every row written (a savepoint inside the
 * caller's transaction) and the caller reads the file again with the full reader, which names the problem exactly
 * as it always has (file:line:column). So this path only ever accepts what the full reader accepts, and refuses
 * nothing itself: it is a faster way to the same verdict for a sound file.
 */

/** What the streaming import needs from the importer (kept there, so both paths share one copy of each check). */
export interface StreamSteps<T> {
  /** Checks the header read before the list (barrier, owner, sender): the sender's key, or undefined to refuse. */
  begin(header: Record<string, unknown>): {key: KeyObject; head: {seq: number; hash: string | null}} | undefined
  /** The hash of `seq` of the sender's chain in this database (null: none). */
  stored(seq: number): string | null
  /** Every check of the list passed and its new events are written: the database checks, the hand-off record. */
  end(content: HandoffContent, added: number, signature: Signature, key: KeyObject): T
}

/** Refuses to go on: the full reader decides (and names the problem). */
class NotStreamed extends Error {}

/** Events shape-checked at a time: enough to keep the validator's per-call cost small, few enough to stay young. */
const BATCH = 1024

/** A header that passes the schema, under which a batch of events is checked (the list items' schema alone). */
const WRAPPER = {
  fleet_audit_handoff: 3,
  type: 'events',
  issuer: 'x',
  recipient: 'y',
  created_at: '2000-01-01T00:00:00Z',
  first_seq: 1,
  last_seq: 0,
  count: 0,
  prev_hash: null,
  last_hash: null,
  heads: [],
}

/**
 * Imports a list of events in one pass, or returns undefined (nothing written) when the file is anything but a
 * sound list of new events whose header precedes its list, as fleet-audit writes it.
 */
export function importEventsStreaming<T>(
  db: LedgerDb,
  text: string,
  steps: StreamSteps<T>,
  options: {importedAt: string; recipient?: string},
): T | undefined {
  try {
    return db.transaction(() => run(db, text, steps, options)).immediate()
  } catch {
    // A savepoint inside the caller's transaction (or a transaction of its own): rolled back.
    return undefined
  }
}

function run<T>(
  db: LedgerDb,
  text: string,
  steps: StreamSteps<T>,
  options: {importedAt: string; recipient?: string},
): T {
  const validate = handoffValidator()
  const refuse = (): never => {
    throw new NotStreamed()
  }
  let before = ''
  let sink: ByteSink | DigestSink | undefined
  let key: KeyObject | undefined
  let head = {seq: 0, hash: null as string | null}
  let inserter: EventInserter | undefined
  let issuer = ''
  let firstSeq = 0
  let prev: string | null = null
  let count = 0
  let added = 0
  let batch: unknown[] = []

  const flush = (): void => {
    if (batch.length === 0) return
    if (!validate({...WRAPPER, events: batch})) refuse()
    for (const record of batch as LedgerEvent[]) {
      if (record.issuer !== issuer || record.seq !== firstSeq + count) refuse()
      const canonical = canonicalEvent(record)
      if (sha256Hex(canonical) !== record.hash || record.prev_hash !== prev) refuse()
      prev = record.hash
      if (count++ > 0) sink!.write(',')
      sink!.write(withHash(canonical, record.hash))
      if (record.seq <= head.seq) {
        if (steps.stored(record.seq) !== record.hash) refuse()
      } else {
        if (added === 0 && (record.seq !== head.seq + 1 || record.prev_hash !== head.hash)) refuse()
        inserter!.add(record)
        added++
      }
    }
    batch = []
  }

  const doc = readYamlStreaming(text, {
    key: 'events',
    begin(header) {
      const {fleet_audit_handoff: format, type, count: n, created_at: at, first_seq: first, prev_hash: p} = header
      if (!(HANDOFF_FORMATS as readonly unknown[]).includes(format) || type !== 'events') refuse()
      if (typeof header.issuer !== 'string' || typeof header.recipient !== 'string' || typeof at !== 'string') refuse()
      if (!Number.isSafeInteger(first) || !Number.isSafeInteger(n) || (p !== null && typeof p !== 'string')) refuse()
      // The canonical JSON begins with the keys that sort before "events": a sound header has only these two.
      before = canonicalContentAround({count: n, created_at: at}, 'events')[0]
      const started = steps.begin(header)
      if (!started) return refuse()
      ;({key, head} = started)
      issuer = header.issuer as string
      firstSeq = first as number
      prev = p as string | null
      sink = format === 2 ? new ByteSink(Math.max(1 << 20, Math.min(n as number, 200_000) * 700)) : new DigestSink()
      sink.write(before)
      inserter = new EventInserter(db, options.importedAt, n as number)
      return (item) => {
        batch.push(item)
        if (batch.length === BATCH) flush()
      }
    },
  })
  flush()
  if (!sink || !doc || typeof doc !== 'object') return refuse()
  const {signature, ...rest} = doc as Record<string, unknown>
  const content = rest as unknown as HandoffContent
  if (!Array.isArray(content.events) || content.events.length > 0) refuse()
  if (!validate({...rest, ...(signature === undefined ? {} : {signature})}) || signature === undefined) refuse()
  if (content.count !== count || content.last_seq !== firstSeq + count - 1) refuse()
  if (content.last_hash !== (count > 0 ? prev : content.prev_hash)) refuse()
  const {events: _, ...header} = content
  const [check, after] = canonicalContentAround(header as unknown as Record<string, unknown>, 'events')
  if (check !== before) refuse()
  sink.write(after)
  const signed = sink instanceof ByteSink ? {bytes: sink.bytes()} : {digest: sink.hex()}
  if (!handoffSignatureValid(content, signed, signature as Signature, key!)) refuse()
  checkSignedHeads(content, key!, undefined)
  if (options.recipient !== undefined && content.recipient !== options.recipient) refuse()
  // Nothing new (a re-import): the full reader's path records it without rows.
  if (added === 0) refuse()
  inserter!.finish()
  return steps.end(content, added, signature as Signature, key!)
}
