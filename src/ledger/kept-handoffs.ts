import type {KeyObject} from 'node:crypto'

import {keyFingerprint, readPublicKey} from './keys.js'
import {HANDOFF_FORMAT, renderHandoff, type HandoffContent, type HandoffType} from './handoff-format.js'
import {handoffSignatureValid} from './handoff-sign.js'
import {canonicalContent, sha256Hex} from './hash.js'
import type {Signature} from './keys.js'
import type {ChainHead} from './heads.js'
import {ACK_RECORD_COLUMNS, ackFromRaw, EVENT_RECORD_COLUMNS, eventFromRaw, type RawRow} from './rows.js'
import {prepare, type LedgerDb} from './store.js'

/** A hand-off list the other company signed, as this database keeps it, rebuilt into the file it arrived as. */
export interface KeptHandoff {
  /** The `handoffs` record it was rebuilt from. */
  id: number
  type: HandoffType
  issuer: string
  recipient: string
  first_seq: number
  last_seq: number
  /** The hand-off file: the same signed content and signature as the one imported (the layout is cosmetic). */
  text: string
}

interface HandoffRow {
  id: number
  type: HandoffType
  issuer: string
  recipient: string
  first_seq: number
  last_seq: number
  count: number
  prev_hash: string | null
  last_hash: string | null
  signature: string
  at: string
  heads: string
  sender_key: string | null
}

/**
 * Every hand-off list this database imported, rebuilt from what it keeps: the header and the signature of each
 * import (the `handoffs` record, with the signed heads and the sender's key since migration 003) and the records
 * themselves (the `events` and `acks` rows, which are append-only and hash-chained, so a record kept is the record
 * signed). The signature is over the canonical JSON of the content, not over the file's bytes, so the rebuilt file
 * verifies with the sender's key exactly when this database still holds what the sender signed: an ack edited
 * behind the library's back, or a record deleted, makes it fail. Nothing is checked here; readers verify.
 * Records from before migration 003 kept no signed heads: their lists are rebuilt but no longer verify.
 * The record does not say the list's format: a list is rebuilt as format 3 (with its content's digest) when the
 * signature kept is the sender's over that statement, else as format 2. A list whose records changed since matches
 * neither and fails either way.
 */
export function keptHandoffs(db: LedgerDb): KeptHandoff[] {
  const rows = prepare<[], HandoffRow>(
    db,
    `SELECT id, type, issuer, recipient, first_seq, last_seq, count, prev_hash, last_hash, signature, at, heads, sender_key
     FROM handoffs WHERE direction = 'in' ORDER BY id`,
  ).all()
  const events = prepare<[string, number, number], RawRow>(
    db,
    `SELECT ${EVENT_RECORD_COLUMNS} FROM events WHERE issuer = ? AND seq BETWEEN ? AND ? ORDER BY seq`,
  )
  const acks = prepare<[string, string, number, number], RawRow>(
    db,
    `SELECT ${ACK_RECORD_COLUMNS} FROM acks WHERE acker = ? AND issuer = ? AND seq BETWEEN ? AND ? ORDER BY seq`,
  )
  return rows.map((row) => {
    const content: HandoffContent = {
      fleet_audit_handoff: HANDOFF_FORMAT,
      type: row.type,
      issuer: row.issuer,
      recipient: row.recipient,
      created_at: row.at,
      first_seq: row.first_seq,
      last_seq: row.last_seq,
      count: row.count,
      prev_hash: row.prev_hash,
      last_hash: row.last_hash,
      heads: JSON.parse(row.heads) as ChainHead[],
    }
    if (row.type === 'events')
      content.events = (events.raw(true).all(row.issuer, row.first_seq, row.last_seq) as RawRow[]).map(eventFromRaw)
    else
      content.acks = (acks.raw(true).all(row.issuer, row.recipient, row.first_seq, row.last_seq) as RawRow[]).map(
        ackFromRaw,
      )
    const sender = row.sender_key ? publicKeyOf(row.sender_key) : undefined
    const text = renderHandoff(content, signatureAsSent(content, row.signature, sender))
    return {
      id: row.id,
      type: row.type,
      issuer: row.issuer,
      recipient: row.recipient,
      first_seq: row.first_seq,
      last_seq: row.last_seq,
      text,
    }
  })
}

/**
 * The signature block as the list carried it, by the format its signature is of: format 3 when it is the sender's
 * over the format-3 statement of this content, else format 2 (`content.fleet_audit_handoff` is set to match).
 */
function signatureAsSent(content: HandoffContent, value: string, sender: KeyObject | undefined): Signature {
  const key = sender ? keyFingerprint(sender) : 'unknown'
  if (sender) {
    const digest = sha256Hex(canonicalContent(content as unknown as Record<string, unknown>))
    const v3: Signature = {algorithm: 'ed25519', key, content_sha256: digest, value}
    if (handoffSignatureValid(content, {digest}, v3, sender)) return v3
  }

  content.fleet_audit_handoff = 2
  return {algorithm: 'ed25519', key, value}
}

function publicKeyOf(pem: string): KeyObject | undefined {
  try {
    return readPublicKey(pem)
  } catch {
    return undefined
  }
}
