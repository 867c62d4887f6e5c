import type {KeyObject} from 'node:crypto'

import type {FieldName, HEAD_FIELDS} from '../model/ledger-fields.js'
import {canonicalJson} from './hash.js'
import {keyFingerprint, signText, verifyText} from './keys.js'
import {prepare, type LedgerDb} from './store.js'

/**
 * A chain head signed by a company: "I have seen `company`'s `chain` (about `about`) up to `seq`, whose hash is
 * `hash`". Every hand-off carries the sender's signed heads of its own chains (events, acks) and of the recipient's
 * chains it holds (a receipt), and the recipient keeps them: a rewrite of anything at or before a head kept by the
 * other company is then provable, because only the signer's private key could have made the head.
 */
export interface ChainHead {
  /** The company that signed the head (the sender of the hand-off that carried it). */
  signer: string
  chain: 'events' | 'acks'
  /** The chain's company: the issuer of events, or the acknowledging company of acks. */
  company: string
  /** For acks: the company whose events they acknowledge; null for events. */
  about: string | null
  seq: number
  /** The hash of record `seq`; null for seq 0 (an empty chain). */
  hash: string | null
  signed_at: string
  /** Fingerprint of the signing key. */
  key: string
  /** Base64 Ed25519 signature over the canonical JSON of every field but this one. */
  signature: string
}

type Unsigned = Omit<ChainHead, 'signer' | 'signed_at' | 'key' | 'signature'>

/**
 * The heads of every chain this database holds that belongs to `sender` or `recipient`, read in the caller's
 * transaction: the sender's whole chains (not just the range being sent) and the recipient's chains as imported.
 */
export function currentHeads(db: LedgerDb, sender: string, recipient: string): Unsigned[] {
  const events = prepare<[string, string], {company: string; seq: number; hash: string}>(
    db,
    `SELECT e.issuer AS company, e.seq, e.hash FROM events e
     JOIN (SELECT issuer, MAX(seq) AS seq FROM events WHERE issuer IN (?, ?) GROUP BY issuer) m ON m.issuer = e.issuer AND m.seq = e.seq
     ORDER BY e.issuer`,
  ).all(sender, recipient)
  const acks = prepare<[string, string], {company: string; about: string; seq: number; hash: string}>(
    db,
    `SELECT a.acker AS company, a.issuer AS about, a.seq, a.hash FROM acks a
     JOIN (SELECT acker, issuer, MAX(seq) AS seq FROM acks WHERE acker IN (?, ?) GROUP BY acker, issuer) m
       ON m.acker = a.acker AND m.issuer = a.issuer AND m.seq = a.seq
     ORDER BY a.acker, a.issuer`,
  ).all(sender, recipient)
  return [
    ...events.map((h) => ({chain: 'events' as const, company: h.company, about: null, seq: h.seq, hash: h.hash})),
    ...acks.map((h) => ({chain: 'acks' as const, company: h.company, about: h.about, seq: h.seq, hash: h.hash})),
  ]
}

/** Signs each head as `signer`. */
export function signHeads(heads: readonly Unsigned[], signer: string, key: KeyObject, now: Date): ChainHead[] {
  const fingerprint = keyFingerprint(key)
  return heads.map((h) => {
    const body = {
      signer,
      chain: h.chain,
      company: h.company,
      about: h.about,
      seq: h.seq,
      hash: h.hash,
      signed_at: now.toISOString(),
      key: fingerprint,
    }
    return {...body, signature: signText(canonicalJson(body), key).value}
  })
}

/** True when the head's signature is `publicKey`'s. */
export function headSignedBy(head: ChainHead, publicKey: KeyObject): boolean {
  const {signature, ...body} = head
  return verifyText(canonicalJson(body), {algorithm: 'ed25519', key: head.key, value: signature}, publicKey)
}

/** `events tohoku-epco` / `acks tohoku-nw → tohoku-epco`, for messages. */
export function chainName(h: Pick<ChainHead, 'chain' | 'company' | 'about'>): string {
  return h.chain === 'events' ? `events ${h.company}` : `acks ${h.company} → ${h.about}`
}

/** The hash this database holds at a chain's seq; undefined when it holds no such record. */
export function storedHashAt(
  db: LedgerDb,
  h: Pick<ChainHead, 'chain' | 'company' | 'about' | 'seq'>,
): string | undefined {
  const row =
    h.chain === 'events'
      ? prepare<[string, number], {hash: string}>(db, 'SELECT hash FROM events WHERE issuer = ? AND seq = ?').get(
          h.company,
          h.seq,
        )
      : prepare<[string, string, number], {hash: string}>(
          db,
          'SELECT hash FROM acks WHERE acker = ? AND issuer = ? AND seq = ?',
        ).get(h.company, h.about ?? '', h.seq)
  return row?.hash
}

/** How many records of a chain this database holds. */
export function chainLength(db: LedgerDb, h: Pick<ChainHead, 'chain' | 'company' | 'about'>): number {
  const row =
    h.chain === 'events'
      ? prepare<[string], {n: number}>(db, 'SELECT COALESCE(MAX(seq), 0) AS n FROM events WHERE issuer = ?').get(
          h.company,
        )
      : prepare<[string, string], {n: number}>(
          db,
          'SELECT COALESCE(MAX(seq), 0) AS n FROM acks WHERE acker = ? AND issuer = ?',
        ).get(h.company, h.about ?? '')
  return row!.n
}

/**
 * What a kept head says about this database: nothing when it agrees (or concerns a chain this database neither owns
 * nor holds), else why not. `owner` is this database's company: its own chains must be there as the head saw them.
 */
export function headDisagreement(db: LedgerDb, h: ChainHead, owner: string | undefined): string | undefined {
  if (h.seq === 0) return undefined
  const length = chainLength(db, h)
  if (length === 0 && h.company !== owner) return undefined
  const stored = storedHashAt(db, h)
  if (stored === undefined)
    return `seq ${h.seq} is missing, but ${h.signer} signed on ${h.signed_at} that it had seen ${chainName(h)} up to #${h.seq} (deleted)`
  if (stored !== h.hash)
    return `seq ${h.seq} is not the record ${h.signer} signed on ${h.signed_at} as the head of ${chainName(h)} (edited, chain rewritten)`
  return undefined
}

// A head and its field table name the same fields (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const headFieldsMatch: Same<keyof ChainHead, FieldName<typeof HEAD_FIELDS>> = true
void headFieldsMatch
