import {createHash, type KeyObject} from 'node:crypto'

import {HANDOFF_STATEMENT_FIELDS} from '../model/ledger-fields.js'
import {canonicalJson, sha256Hex} from './hash.js'
import {keyFingerprint, signText, verifyText, type Signature} from './keys.js'

/**
 * How a hand-off list is signed, by format:
 * - 2: Ed25519 over the canonical JSON of the whole content (everything but the signature block). Pure Ed25519
 *   cannot be streamed, so the reader must hold all of it (60 MB for 100,000 events) to check one signature.
 * - 3: Ed25519 over a small statement ({@link handoffStatement}) naming the format, the sender and recipient, the
 *   seq range and end hashes, and `content_sha256`, the SHA-256 of that same canonical JSON, which a reader computes
 *   as it reads. The statement carries the format number, so neither kind of signature verifies the other kind of
 *   file (a format-3 list relabelled 2, or the reverse, is refused); the digest ties it to one content (a statement
 *   taken from one list and put on another's content is refused).
 */

/** What a signature is checked against: the canonical content itself, or (format 3 only) its SHA-256. */
export type SignedContent = {bytes: string | Uint8Array} | {digest: string}

/** The header fields a signature names (the rest of the content is only covered by the digest). */
export type SignedHeader = {fleet_audit_handoff: number}

/** The canonical JSON a format-3 signature signs: the header fields and the content's digest. */
export function handoffStatement(header: SignedHeader, digest: string): string {
  const statement: Record<string, unknown> = {}
  for (const {name} of HANDOFF_STATEMENT_FIELDS)
    statement[name] = name === 'content_sha256' ? digest : ((header as Record<string, unknown>)[name] ?? null)
  return canonicalJson(statement)
}

function digestOf(content: SignedContent): string {
  if ('digest' in content) return content.digest
  const {bytes} = content
  return typeof bytes === 'string' ? sha256Hex(bytes) : createHash('sha256').update(bytes).digest('hex')
}

/** Signs a list's content the way its header's format says. */
export function signHandoff(header: SignedHeader, content: SignedContent, key: KeyObject): Signature {
  if (header.fleet_audit_handoff === 2) {
    if (!('bytes' in content)) throw new Error('internal error: a format-2 list is signed over its content')
    return signText(content.bytes, key)
  }
  const digest = digestOf(content)
  const signed = signText(handoffStatement(header, digest), key)
  return {algorithm: signed.algorithm, key: keyFingerprint(key), content_sha256: digest, value: signed.value}
}

/**
 * True when `signature` is `key`'s over this content, by the header's format. Format 3: the signature block must
 * name the digest of the content as read, and sign the statement made of the header as read and that digest.
 */
export function handoffSignatureValid(
  header: SignedHeader,
  content: SignedContent,
  signature: Signature,
  key: KeyObject,
): boolean {
  if (header.fleet_audit_handoff === 2) {
    if (!('bytes' in content)) return false
    return signature.content_sha256 === undefined && verifyText(content.bytes, signature, key)
  }
  if (header.fleet_audit_handoff !== 3) return false
  const digest = digestOf(content)
  return signature.content_sha256 === digest && verifyText(handoffStatement(header, digest), signature, key)
}
