import type {KeyObject} from 'node:crypto'

import type {Problem} from '../model/errors.js'
import {LedgerError} from './errors.js'
import {parseHandoff, type HandoffContent, type HandoffFile} from './handoff-format.js'
import {ByteSink, DigestSink} from './bytes.js'
import {
  ackBody,
  canonicalContent,
  canonicalContentAround,
  canonicalEvent,
  hashAck,
  sha256Hex,
  withHash,
} from './hash.js'
import {chainName, headSignedBy} from './heads.js'
import {handoffSignatureValid, type SignedContent} from './handoff-sign.js'
import {keyFingerprint, readPublicKey, type Signature} from './keys.js'
import type {LedgerAck, LedgerEvent} from '../model/ledger.js'

/** A hand-off file whose signature and internal chain have been checked. */
export interface VerifiedHandoff {
  content: HandoffContent
  records: readonly (LedgerEvent | LedgerAck)[]
  /** The signature block, as read and verified. */
  signature: Signature
  file?: string
}

/** Options for {@link readHandoff}. */
export interface ReadHandoffOptions {
  /** For messages. */
  file?: string
  /** Refuse a list addressed to anyone else. */
  recipient?: string
  /** Refuse a list of the other type. */
  type?: 'events' | 'acks'
}

/**
 * Parses a hand-off file, checks that every record hashes to its `hash`, that the records are consecutive and linked
 * from `prev_hash` to `last_hash`, and that the Ed25519 signature over the canonical JSON of the content is the
 * sender's. A problem inside the list is named by seq; a bad signature with no such problem means the file was
 * altered (or signed) in a way only the signature shows.
 */
export function readHandoff(
  text: string | HandoffFile,
  senderPublicKey: string | KeyObject,
  options: ReadHandoffOptions = {},
): VerifiedHandoff {
  const {file} = options
  // Already parsed (by parseHandoff, the one reader) when the caller had to look at the header first.
  const parsed = typeof text === 'string' ? parseHandoff(text, file) : text
  const {content, signature} = parsed
  const fail = (code: string, message: string, index?: number): never => {
    throw new LedgerError({
      code,
      message,
      file,
      ...(index === undefined ? {} : {line: parsed.lineOf(index), column: 5}),
    })
  }
  const {problems: listIssues, signed} = checkList(parsed)
  if (!signature) {
    const issue = listIssues[0]
    fail(
      'E_HANDOFF_SIGNATURE',
      `the list has no signature: the file is incomplete (truncated?)${issue ? `; ${issue.message}` : ''}`,
    )
  }
  const key = typeof senderPublicKey === 'string' ? readPublicKey(senderPublicKey) : senderPublicKey
  const expectedKey = keyFingerprint(key)
  const signedContent: SignedContent = signed ?? {
    bytes: canonicalContent(content as unknown as Record<string, unknown>),
  }
  if (!handoffSignatureValid(content, signedContent, signature!, key)) {
    const issue = listIssues[0]
    if (issue) throw new LedgerError({...issue, message: `signature does not match: ${issue.message}`, file})
    if (signature!.key !== expectedKey)
      fail('E_HANDOFF_SIGNATURE', `signed with key ${signature!.key}, not ${content.issuer}'s key ${expectedKey}`)
    fail(
      'E_HANDOFF_SIGNATURE',
      `the signature does not match the content: the file was altered after ${content.issuer} signed it`,
    )
  }
  if (listIssues.length > 0) throw new LedgerError(listIssues.map((p) => ({...p, file})))
  checkSignedHeads(content, key, file)
  if (options.type && content.type !== options.type)
    fail('E_HANDOFF_TYPE', `a list of ${content.type}, not ${options.type}`)
  if (options.recipient !== undefined && content.recipient !== options.recipient)
    fail('E_HANDOFF_RECIPIENT', `the list is addressed to ${content.recipient}, not ${options.recipient}`)
  const records = content.type === 'events' ? content.events! : content.acks!
  return {content, records, signature: signature!, file}
}

/**
 * The signed chain heads the list carries: each signed by the sender with the same key as the list, about the
 * sender's or the recipient's chains only, and one of them the head of the chain sent, at the list's last record
 * (an export always runs to the head: a list that stops short of it hides what comes after).
 */
export function checkSignedHeads(content: HandoffContent, key: KeyObject, file: string | undefined): void {
  const problems: Problem[] = []
  const add = (message: string): void => void problems.push({code: 'E_HANDOFF_HEAD', message, file})
  content.heads.forEach((h, i) => {
    if (h.signer !== content.issuer) add(`heads[${i}] is signed by ${h.signer}, not by the sender ${content.issuer}`)
    else if (!headSignedBy(h, key))
      add(`heads[${i}] (${chainName(h)} #${h.seq}): the signature is not ${content.issuer}'s`)
    if (h.company !== content.issuer && h.company !== content.recipient)
      add(`heads[${i}] is about ${h.company}, neither the sender nor the recipient`)
    if (h.chain === 'acks' && h.about === null) add(`heads[${i}]: an acks head must say whose events (about)`)
  })
  const about = content.type === 'acks' ? content.recipient : null
  const own = content.heads.find((h) => h.chain === content.type && h.company === content.issuer && h.about === about)
  if (!own)
    add(
      `the list carries no signed head of ${content.issuer}'s ${content.type}: it cannot show it runs to the head of the chain`,
    )
  else if (own.seq !== content.last_seq || own.hash !== content.last_hash)
    add(
      `the list ends at seq ${content.last_seq}, but ${content.issuer}'s signed head of its ${content.type} is #${own.seq}: records after the list were left out`,
    )
  if (problems.length > 0) throw new LedgerError(problems)
}

/** Internal consistency of the list, naming seqs: missing, repeated, reordered or altered records. */
function checkList(parsed: HandoffFile): {problems: Problem[]; signed?: SignedContent} {
  const {content} = parsed
  const isEvents = content.type === 'events'
  const records: (LedgerEvent | LedgerAck)[] = isEvents ? content.events! : content.acks!
  const problems: Problem[] = []
  const add = (code: string, message: string, index?: number): void =>
    void problems.push({code, message, ...(index === undefined ? {} : {line: parsed.lineOf(index), column: 5})})
  const seqs = new Set<number>()
  // For events, the signed text is written as the list is checked: the canonical JSON of the content, each event's
  // (with its hash) built from the one hashed (without), as UTF-8 bytes outside the JS heap (format 2), or only
  // into its SHA-256 (format 3, whose signature names the digest).
  let signed: ByteSink | DigestSink | undefined
  let after = ''
  if (isEvents) {
    const {events: _, ...rest} = content
    let before: string
    ;[before, after] = canonicalContentAround(rest, 'events')
    signed =
      content.fleet_audit_handoff === 2 ? new ByteSink(Math.max(1 << 20, records.length * 700)) : new DigestSink()
    signed.write(before)
  }
  let prevHash = content.prev_hash
  records.forEach((record, i) => {
    const expected = content.first_seq + i
    const owner = isEvents ? (record as LedgerEvent).issuer : (record as LedgerAck).acker
    if (owner !== content.issuer)
      add('E_HANDOFF_ISSUER', `seq ${record.seq} is from ${owner}, not the list's issuer ${content.issuer}`, i)
    if (!isEvents && (record as LedgerAck).issuer !== content.recipient)
      add(
        'E_HANDOFF_ISSUER',
        `ack ${record.seq} acknowledges an event of ${(record as LedgerAck).issuer}, not of ${content.recipient}`,
        i,
      )
    // A company cannot acknowledge its own events: the re-check is the other company's.
    if (!isEvents && (record as LedgerAck).acker === (record as LedgerAck).issuer)
      add(
        'E_HANDOFF_ISSUER',
        `ack ${record.seq} is by ${(record as LedgerAck).acker} of its own event: only the other company can acknowledge it`,
        i,
      )
    if (seqs.has(record.seq)) add('E_HANDOFF_REPEAT', `seq ${record.seq} appears twice (repeated)`, i)
    else if (record.seq !== expected) {
      const later = records.slice(i + 1).some((r) => r.seq === expected)
      if (later || record.seq < expected)
        add('E_HANDOFF_ORDER', `seq ${record.seq} comes where seq ${expected} belongs (reordered)`, i)
      else add('E_HANDOFF_GAP', `seq ${expected} is missing (the list jumps to seq ${record.seq})`, i)
    }
    seqs.add(record.seq)
    let computed: string
    if (signed) {
      const text = canonicalEvent(record as LedgerEvent)
      computed = sha256Hex(text)
      if (i > 0) signed.write(',')
      signed.write(withHash(text, record.hash))
    } else computed = hashAck(ackBody(record as LedgerAck))
    if (computed !== record.hash)
      add('E_HANDOFF_ALTERED', `seq ${record.seq} was altered: its content does not match its hash`, i)
    else if (record.prev_hash !== prevHash && problems.length === 0)
      add(
        'E_HANDOFF_ALTERED',
        `seq ${record.seq} does not link to ${i === 0 ? 'the prev_hash of the list' : `seq ${record.seq - 1}`} (one of them was altered)`,
        i,
      )
    prevHash = record.hash
  })
  if (records.length !== content.count)
    add('E_HANDOFF_COUNT', `the list says ${content.count} records but holds ${records.length} (truncated?)`)
  const last = records.at(-1)
  if (content.last_seq !== (last ? last.seq : content.first_seq - 1))
    add(
      'E_HANDOFF_COUNT',
      `the list says it ends at seq ${content.last_seq}, but its last record is seq ${last?.seq ?? 'none'} (truncated?)`,
    )
  if (content.last_hash !== (last ? last.hash : content.prev_hash))
    add('E_HANDOFF_ALTERED', `last_hash does not match the last record`)
  if (!signed) return {problems}
  signed.write(after)
  return {problems, signed: signed instanceof ByteSink ? {bytes: signed.bytes()} : {digest: signed.hex()}}
}
