import {createHmac, randomBytes} from 'node:crypto'

import {fingerprintOf, keyTypeOf, normalizeFingerprint} from './fingerprint.js'

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number, for messages. */
  line: number
  marker?: 'revoked' | 'cert-authority'
  /** Plain patterns (comma-separated in the file), or a hashed `|1|salt|hash` host. */
  patterns?: string[]
  hashed?: {salt: Buffer; hash: Buffer}
  keyType: string
  key: Buffer
  /** Everything after the key; `ACCEPTED_NEW_MARK` there means fleet-audit accepted the key on first use. */
  comment?: string
}

/**
 * Comment fleet-audit writes after a key it accepted on first use (`--accept-new`). Such a key is trusted for
 * connecting but stays "accepted on first use" (a medium finding) on every later run, until it is pinned in the
 * inventory (`ssh.host_key`) or a person, having compared the fingerprint out of band, deletes the comment.
 * OpenSSH ignores comments, so the line keeps working for `ssh` itself.
 */
const ACCEPTED_NEW_MARK = 'fleet-audit-accepted-new'

/** A parsed known_hosts file; lines that cannot be parsed are kept as problems, as OpenSSH skips them. */
export interface KnownHosts {
  entries: KnownHostEntry[]
  problems: string[]
}

/** Parses OpenSSH known_hosts text: plain and hashed hosts, `[host]:port`, wildcards, `!` negation, markers. */
export function parseKnownHosts(text: string): KnownHosts {
  const entries: KnownHostEntry[] = []
  const problems: string[] = []
  const lines = text.split('\n')
  for (const [i, rawLine] of lines.entries()) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields = line.split(/[ \t]+/)
    let marker: KnownHostEntry['marker']
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!
      if (m === '@revoked') marker = 'revoked'
      else if (m === '@cert-authority') marker = 'cert-authority'
      else {
        problems.push(`line ${i + 1}: unknown marker ${m}`)
        continue
      }
    }
    if (fields.length < 3) {
      problems.push(`line ${i + 1}: expected "hosts keytype key"`)
      continue
    }
    const [hosts, keyType, b64] = fields
    const key = Buffer.from(b64, 'base64')
    if (key.length === 0 || keyTypeOf(key) !== keyType) {
      problems.push(`line ${i + 1}: key does not decode as ${keyType}`)
      continue
    }
    const comment = fields.slice(3).join(' ')
    const entry: KnownHostEntry = {
      line: i + 1,
      keyType,
      key,
      ...(marker ? {marker} : {}),
      ...(comment ? {comment} : {}),
    }
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|')
      if (!salt || !hash) {
        problems.push(`line ${i + 1}: malformed hashed host`)
        continue
      }
      entry.hashed = {salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64')}
    } else {
      entry.patterns = hosts.split(',').filter(Boolean)
    }
    entries.push(entry)
  }
  return {entries, problems}
}

/** The name OpenSSH looks a host up by: `host` on port 22, `[host]:port` otherwise. */
export function hostLookupName(host: string, port: number): string {
  const h = host.toLowerCase()
  return port === 22 ? h : `[${h}]:${port}`
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  )
  return re.test(name)
}

/** Whether an entry's host field names `lookupName` (hashed entries are HMAC-SHA1 of the name under the salt). */
function entryMatchesHost(entry: KnownHostEntry, lookupName: string): boolean {
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(lookupName).digest()
    return h.equals(entry.hashed.hash)
  }
  let matched = false
  for (const p of entry.patterns ?? []) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), lookupName)) return false
    } else if (globMatch(p, lookupName)) matched = true
  }
  return matched
}

interface HostIndex {
  exact: Map<string, KnownHostEntry[]>
  patterned: KnownHostEntry[]
  bySalt: Map<string, {salt: Buffer; byHash: Map<string, KnownHostEntry[]>}>
}

const indexes = new WeakMap<KnownHosts, HostIndex>()

function push<K>(map: Map<K, KnownHostEntry[]>, key: K, e: KnownHostEntry): void {
  const list = map.get(key)
  if (list) list.push(e)
  else map.set(key, [e])
}

/**
 * Entries naming a host, found through an index built once per file: plain names by exact match, wildcard lines by
 * scan, hashed lines by one HMAC per distinct salt (ssh-keygen -H salts every line, so a large hashed file costs
 * one HMAC per line per terminal, ~4 µs each; pins or plain files scale better).
 */
function entriesForHost(kh: KnownHosts, lookupName: string): KnownHostEntry[] {
  let idx = indexes.get(kh)
  if (!idx) {
    idx = {exact: new Map(), patterned: [], bySalt: new Map()}
    for (const e of kh.entries) {
      if (e.hashed) {
        const salt = e.hashed.salt.toString('base64')
        let group = idx.bySalt.get(salt)
        if (!group) idx.bySalt.set(salt, (group = {salt: e.hashed.salt, byHash: new Map()}))
        push(group.byHash, e.hashed.hash.toString('base64'), e)
      } else if (e.patterns!.some((p) => /[*?!]/.test(p))) idx.patterned.push(e)
      else for (const p of new Set(e.patterns!.map((x) => x.toLowerCase()))) push(idx.exact, p, e)
    }
    indexes.set(kh, idx)
  }
  const found = [...(idx.exact.get(lookupName) ?? []), ...idx.patterned.filter((e) => entryMatchesHost(e, lookupName))]
  for (const {salt, byHash} of idx.bySalt.values()) {
    const list = byHash.get(createHmac('sha1', salt).update(lookupName).digest('base64'))
    if (list) found.push(...list)
  }
  return found.sort((a, b) => a.line - b.line)
}

/** The verdict on a presented host key. */
export type HostKeyVerdict =
  | {status: 'ok'; via: 'pin' | 'known_hosts' | 'accept-new'}
  | {status: 'unknown'}
  | {status: 'changed'; reason: string; expected: string[]}

/** Decides on a presented host key: a pin wins, known_hosts must then not disagree; revoked keys are refused. */
export function verifyHostKey(args: {
  presented: Buffer
  host: string
  port: number
  knownHosts: KnownHosts
  pin?: string
}): HostKeyVerdict {
  const {presented, knownHosts} = args
  const name = hostLookupName(args.host, args.port)
  const presentedFp = fingerprintOf(presented)
  const forHost = entriesForHost(knownHosts, name).filter((e) => e.marker !== 'cert-authority')
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(presented))
  // A revoked key is refused whatever else says it is fine.
  if (revoked)
    return {status: 'changed', reason: `host key is marked @revoked (known_hosts line ${revoked.line})`, expected: []}
  const plain = forHost.filter((e) => !e.marker)
  const knownMatch = plain.some((e) => e.key.equals(presented))
  const knownFps = [...new Set(plain.map((e) => fingerprintOf(e.key)))]
  if (args.pin) {
    const pin = normalizeFingerprint(args.pin)
    if (pin !== presentedFp)
      return {status: 'changed', reason: 'host key differs from the pinned fingerprint', expected: [pin]}
    if (plain.length > 0 && !knownMatch)
      return {
        status: 'changed',
        reason: 'pinned fingerprint matches but known_hosts lists a different key',
        expected: knownFps,
      }
    return {status: 'ok', via: 'pin'}
  }
  if (knownMatch) {
    // Trusted on first use and never confirmed: only an unmarked line (a person's decision) makes it plain known.
    const confirmed = plain.some((e) => e.key.equals(presented) && !e.comment?.split(' ').includes(ACCEPTED_NEW_MARK))
    return {status: 'ok', via: confirmed ? 'known_hosts' : 'accept-new'}
  }
  // Stricter than OpenSSH: any other key for this host (of any type) counts as a change, never as new.
  if (plain.length > 0) return {status: 'changed', reason: 'host key differs from known_hosts', expected: knownFps}
  return {status: 'unknown'}
}

/**
 * A known_hosts line for a newly accepted key, hashed like `HashKnownHosts yes` when asked, with the
 * `ACCEPTED_NEW_MARK` comment and the day it was accepted (`on`, YYYY-MM-DD) so later runs still know.
 */
export function knownHostsLine(host: string, port: number, key: Buffer, hash = false, on?: string): string {
  const name = hostLookupName(host, port)
  let hostField = name
  if (hash) {
    const salt = randomBytes(20)
    const h = createHmac('sha1', salt).update(name).digest()
    hostField = `|1|${salt.toString('base64')}|${h.toString('base64')}`
  }
  return `${hostField} ${keyTypeOf(key)} ${key.toString('base64')} ${ACCEPTED_NEW_MARK}${on ? ` ${on}` : ''}`
}
