import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto'

import {ledgerError} from './errors.js'

/** An Ed25519 key pair in PEM (SPKI public, PKCS#8 private) and the public key's fingerprint. */
export interface KeyPair {
  publicKeyPem: string
  privateKeyPem: string
  /** `SHA256:` + unpadded base64 of the SPKI DER, the way OpenSSH shows keys. */
  fingerprint: string
}

/** The signature block of a hand-off file. */
export interface Signature {
  algorithm: 'ed25519'
  /** Fingerprint of the signing key: says which key signed when it is the wrong one. */
  key: string
  /**
   * Format 3: the SHA-256 (hex) of the canonical JSON of everything in the file but this block; `value` then signs
   * the statement naming it (see handoff-sign.ts). Absent in format 2.
   */
  content_sha256?: string
  /** Base64 Ed25519 signature: over the statement (format 3), or over the canonical JSON of the content (format 2). */
  value: string
}

/** Makes a new Ed25519 key pair (node:crypto). */
export function generateKeyPair(): KeyPair {
  const {publicKey, privateKey} = generateKeyPairSync('ed25519')
  return {
    publicKeyPem: publicKey.export({type: 'spki', format: 'pem'}).toString(),
    privateKeyPem: privateKey.export({type: 'pkcs8', format: 'pem'}).toString(),
    fingerprint: keyFingerprint(publicKey),
  }
}

/** Reads an Ed25519 public key given as PEM or as base64 SPKI DER (how `companies[].public_key` may hold it). */
export function readPublicKey(text: string): KeyObject {
  // createPublicKey also accepts a private key (and derives its public half): a private key is never a public_key.
  if (/PRIVATE KEY/.test(text))
    throw ledgerError('E_KEY', 'a private key where a public key belongs (never share it; treat it as exposed)')
  let key: KeyObject
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey(text)
      : createPublicKey({key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki'})
  } catch (error) {
    throw ledgerError('E_KEY', `not a public key: ${(error as Error).message}`)
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw ledgerError('E_KEY', `not an Ed25519 public key (${key.asymmetricKeyType})`)
  return key
}

export function readPrivateKey(pem: string): KeyObject {
  let key: KeyObject
  try {
    key = createPrivateKey(pem)
  } catch (error) {
    throw ledgerError('E_KEY', `not a private key: ${(error as Error).message}`)
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw ledgerError('E_KEY', `not an Ed25519 private key (${key.asymmetricKeyType})`)
  return key
}

/** `SHA256:…` fingerprint of a public key (or of the public half of a private key). */
export function keyFingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key
  const der = pub.export({type: 'spki', format: 'der'})
  return 'SHA256:' + createHash('sha256').update(der).digest('base64').replace(/=+$/, '')
}

/** Signs the UTF-8 of `text` (or the bytes given, already UTF-8). */
export function signText(text: string | Uint8Array, privateKey: KeyObject): Signature {
  const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  return {algorithm: 'ed25519', key: keyFingerprint(privateKey), value: sign(null, data, privateKey).toString('base64')}
}

export function verifyText(text: string | Uint8Array, signature: Signature, publicKey: KeyObject): boolean {
  try {
    return verify(
      null,
      typeof text === 'string' ? Buffer.from(text, 'utf8') : text,
      publicKey,
      Buffer.from(signature.value, 'base64'),
    )
  } catch {
    return false
  }
}
