import {createHash} from 'node:crypto'

import type {LedgerAck, LedgerEvent} from './types.js'

/**
 * RFC 8785 canonical JSON: the one byte string every hash and signature is computed over. Same algorithm as the
 * `canonicalize` package (keys sorted by UTF-16 code units, ECMAScript number and string serialization), written
 * with arrays and join because the package's string concatenation was the ledger's hottest path (a test keeps the
 * two identical).
 */
export function canonicalJson(value: unknown): string {
  const text = canon(value)
  if (text === undefined) throw new TypeError('value has no JSON form')
  return text
}

function canon(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`)
    return JSON.stringify(value) as string | undefined
  }
  if (typeof (value as {toJSON?: unknown}).toJSON === 'function') return canon((value as {toJSON: () => unknown}).toJSON())
  if (Array.isArray(value)) return '[' + value.map((v) => canon(v) ?? 'null').join(',') + ']'
  const object = value as Record<string, unknown>
  const parts: string[] = []
  for (const key of Object.keys(object).sort()) {
    const v = canon(object[key])
    if (v !== undefined) parts.push(JSON.stringify(key) + ':' + v)
  }
  return '{' + parts.join(',') + '}'
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** The fields of an event that its hash covers, in record form: every field but `hash`. */
export function eventBody(e: Omit<LedgerEvent, 'hash'>): Omit<LedgerEvent, 'hash'> {
  return {
    issuer: e.issuer,
    seq: e.seq,
    kind: e.kind,
    terminal: e.terminal,
    site: e.site,
    zone: e.zone,
    from_site: e.from_site,
    from_zone: e.from_zone,
    role: e.role,
    owner: e.owner,
    host_key: e.host_key,
    serial: e.serial,
    macs: e.macs,
    actor: e.actor,
    approver: e.approver,
    delegation: e.delegation,
    occurred_at: e.occurred_at,
    recorded_at: e.recorded_at,
    note: e.note,
    prev_hash: e.prev_hash,
  }
}

const q = JSON.stringify

/**
 * The canonical JSON of an event (with its `hash` when `withHash`), written field by field in RFC 8785 key order:
 * the same text as `canonicalJson(eventBody(e))`, without sorting keys 100,000 times (a test keeps them equal).
 */
export function canonicalEvent(e: Omit<LedgerEvent, 'hash'> & {hash?: string}, withHash = false): string {
  return (
    `{"actor":${q(e.actor)},"approver":${q(e.approver)},"delegation":${q(e.delegation)},"from_site":${q(e.from_site)},` +
    `"from_zone":${q(e.from_zone)},${withHash ? `"hash":${q(e.hash)},` : ''}"host_key":${q(e.host_key)},"issuer":${q(e.issuer)},` +
    `"kind":${q(e.kind)},"macs":${canonicalJson(e.macs)},"note":${q(e.note)},"occurred_at":${q(e.occurred_at)},` +
    `"owner":${q(e.owner)},"prev_hash":${q(e.prev_hash)},"recorded_at":${q(e.recorded_at)},"role":${q(e.role)},` +
    `"seq":${canonicalJson(e.seq)},"serial":${q(e.serial)},"site":${q(e.site)},"terminal":${q(e.terminal)},"zone":${q(e.zone)}}`
  )
}

/**
 * `canonicalEvent(e, true)` from `canonicalEvent(e)`: the hash goes in just before `host_key`, the key after it in
 * sort order. Every quote inside a value is escaped, so the first `,"host_key":` is the key itself.
 */
export function withHash(canonical: string, hash: string): string {
  const at = canonical.indexOf(',"host_key":') + 1
  return canonical.slice(0, at) + '"hash":' + q(hash) + ',' + canonical.slice(at)
}

/** sha256 over the canonical JSON of the event, which includes `prev_hash`: the link of the chain. */
export function hashEvent(e: Omit<LedgerEvent, 'hash'>): string {
  return sha256Hex(canonicalEvent(e))
}

/**
 * The canonical JSON of a hand-off's content, equal to `canonicalJson(content)`, with events written by
 * {@link canonicalEvent}.
 */
export function canonicalContent(content: Record<string, unknown>, eventTexts?: readonly string[]): string {
  const parts: string[] = []
  for (const key of Object.keys(content).sort()) {
    const value = content[key]
    if (value === undefined) continue
    const text =
      key === 'events' && Array.isArray(value)
        ? '[' + (eventTexts ?? value.map((e: LedgerEvent) => canonicalEvent(e, true))).join(',') + ']'
        : canonicalJson(value)
    parts.push(q(key) + ':' + text)
  }
  return '{' + parts.join(',') + '}'
}

export function ackBody(a: Omit<LedgerAck, 'hash'>): Omit<LedgerAck, 'hash'> {
  return {
    acker: a.acker,
    issuer: a.issuer,
    seq: a.seq,
    event_seq: a.event_seq,
    event_hash: a.event_hash,
    state: a.state,
    evidence: a.evidence,
    actor: a.actor,
    checked_at: a.checked_at,
    recorded_at: a.recorded_at,
    note: a.note,
    prev_hash: a.prev_hash,
  }
}

export function hashAck(a: Omit<LedgerAck, 'hash'>): string {
  return sha256Hex(canonicalJson(ackBody(a)))
}
