import {createPrivateKey, randomBytes} from 'node:crypto'

import ssh2 from 'ssh2'

import {MAX_SETTINGS_FILE_SIZE, readTextFile} from '../io/read.js'
import type {SshAuth} from './transport.js'

/** Options that name the operator's credentials (never the inventory's). */
export interface CredentialOptions {
  privateKeyPath?: string
  passphraseEnv?: string
  agent?: string
}

/**
 * Reads and, when encrypted, decrypts the private key once per run, so that 10,000 connections do not each pay for
 * bcrypt-pbkdf. Returns the credentials or the problems, which never quote key material or the passphrase.
 */
export async function loadCredentials(
  options: CredentialOptions,
  env: Record<string, string | undefined>,
): Promise<{auth: SshAuth; problems: string[]}> {
  const problems: string[] = []
  const auth: SshAuth = {}
  if (options.agent) auth.agent = options.agent
  if (!options.privateKeyPath && !options.agent)
    problems.push(
      'no credentials: give a private key file (--identity KEY, or identity: in fleet-audit.yaml) or an ssh-agent socket (--agent SOCKET, agent: in fleet-audit.yaml, or SSH_AUTH_SOCK)',
    )
  if (!options.privateKeyPath) return {auth, problems}
  // The shared reader: a FIFO or a device given as the key is refused, never waited on.
  const read = await readTextFile(options.privateKeyPath, {maxBytes: MAX_SETTINGS_FILE_SIZE})
  if (!read.ok) {
    problems.push(
      `private key ${options.privateKeyPath}: ${read.problem.message.replace(/^cannot read: (.*)$/, 'cannot read ($1)')}`,
    )
    return {auth, problems}
  }

  const text = read.text
  let passphrase: string | undefined
  if (options.passphraseEnv) {
    passphrase = env[options.passphraseEnv]
    if (passphrase === undefined) problems.push(`passphrase variable ${options.passphraseEnv} is not set`)
  }
  // ssh2 is CommonJS: under Node's ESM only its default export is reliable.
  const parsed = ssh2.utils.parseKey(text, passphrase)
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase|bcrypt|decrypt/i.test(parsed.message)
    problems.push(
      `private key ${options.privateKeyPath}: ${encrypted ? 'encrypted and the passphrase is missing or wrong' : 'not a usable private key'}`,
    )
    return {auth, problems}
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  if (passphrase === undefined) auth.privateKey = text
  else
    auth.privateKey =
      key.type === 'ssh-ed25519' ? opensshEd25519(key.getPrivatePEM(), key.getPublicSSH()) : key.getPrivatePEM()
  return {auth, problems}
}

function sshString(b: Buffer | string): Buffer {
  const buf = typeof b === 'string' ? Buffer.from(b) : b
  const len = Buffer.alloc(4)
  len.writeUInt32BE(buf.length)
  return Buffer.concat([len, buf])
}

/** An unencrypted `openssh-key-v1` Ed25519 key (ssh2 cannot read Ed25519 back from PKCS#8 PEM). */
function opensshEd25519(pkcs8Pem: string, publicBlob: Buffer): string {
  const jwk = createPrivateKey(pkcs8Pem).export({format: 'jwk'})
  const seed = Buffer.from(jwk.d!, 'base64url')
  const pub = Buffer.from(jwk.x!, 'base64url')
  const check = randomBytes(4)
  let priv = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(''),
  ])
  const pad: number[] = []
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i)
  priv = Buffer.concat([priv, Buffer.from(pad)])
  const u32 = Buffer.alloc(4)
  u32.writeUInt32BE(1)
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32,
    sshString(publicBlob),
    sshString(priv),
  ])
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n')
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`
}
