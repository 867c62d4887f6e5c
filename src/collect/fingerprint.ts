import {createHash} from 'node:crypto'

/** OpenSSH `SHA256:` fingerprint of a public key blob (the SSH wire format), base64 without padding. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

/** The key type named inside a public key blob, e.g. `ssh-ed25519`; `unknown` when the blob is malformed. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown'
  const len = keyBlob.readUInt32BE(0)
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) return 'unknown'
  return keyBlob.subarray(4, 4 + len).toString('latin1')
}

/** Normalizes a pinned fingerprint for comparison: `SHA256:` prefix kept, base64 padding dropped. */
export function normalizeFingerprint(fp: string): string {
  return fp.trim().replace(/=+$/, '')
}
