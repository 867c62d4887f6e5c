import {hash as oneShotHash} from 'node:crypto'

import type {LedgerAck, LedgerEvent} from '../model/ledger.js'

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

/** sha256 of the UTF-8 of `text`, hex. The one-shot `crypto.hash` (Node >= 20.12): no Hash object per call. */
export function sha256Hex(text: string): string {
  return oneShotHash('sha256', text, 'hex')
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
 * The canonical JSON of an event (with its `hash` when `withHash`): the same text as `canonicalJson(eventBody(e))`
 * (a test keeps them equal). For the usual event, whose values are strings, nulls, an integer seq and an array of
 * strings, RFC 8785 is exactly `JSON.stringify` of an object whose keys are inserted in sorted order: V8's native
 * serializer then writes it in one call, without sorting keys or concatenating 21 pieces 100,000 times. Anything
 * else (a damaged row, say) takes the generic path.
 */
export function canonicalEvent(e: Omit<LedgerEvent, 'hash'> & {hash?: string}, withHash = false): string {
  if (!plainEvent(e)) return canonicalJson(withHash ? {...eventBody(e), hash: e.hash} : eventBody(e))
  return q({
    actor: e.actor,
    approver: e.approver,
    delegation: e.delegation,
    from_site: e.from_site,
    from_zone: e.from_zone,
    // JSON.stringify leaves out undefined: one shape, with or without the hash.
    hash: withHash ? e.hash : undefined,
    host_key: e.host_key,
    issuer: e.issuer,
    kind: e.kind,
    macs: e.macs,
    note: e.note,
    occurred_at: e.occurred_at,
    owner: e.owner,
    prev_hash: e.prev_hash,
    recorded_at: e.recorded_at,
    role: e.role,
    seq: e.seq,
    serial: e.serial,
    site: e.site,
    terminal: e.terminal,
    zone: e.zone,
  })
}

const str = (v: unknown): boolean => typeof v === 'string'
const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string'

/** True when JSON.stringify of the event's values is their RFC 8785 form (see {@link canonicalEvent}). */
function plainEvent(e: Omit<LedgerEvent, 'hash'> & {hash?: string}): boolean {
  const macs = e.macs as unknown
  if (!Array.isArray(macs)) return false
  for (let i = 0; i < macs.length; i++) if (typeof macs[i] !== 'string') return false
  return (
    Number.isSafeInteger(e.seq) &&
    str(e.actor) && str(e.approver) && strOrNull(e.delegation) && strOrNull(e.from_site) && strOrNull(e.from_zone) &&
    strOrNull(e.host_key) && str(e.issuer) && str(e.kind) && strOrNull(e.note) && str(e.occurred_at) && str(e.owner) &&
    strOrNull(e.prev_hash) && str(e.recorded_at) && str(e.role) && strOrNull(e.serial) && str(e.site) && str(e.terminal) &&
    str(e.zone) && (e.hash === undefined || str(e.hash))
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
export function canonicalContent(content: Record<string, unknown>): string {
  const parts: string[] = []
  for (const key of Object.keys(content).sort()) {
    const value = content[key]
    if (value === undefined) continue
    const text =
      key === 'events' && Array.isArray(value)
        ? '[' + value.map((e: LedgerEvent) => canonicalEvent(e, true)).join(',') + ']'
        : canonicalJson(value)
    parts.push(q(key) + ':' + text)
  }
  return '{' + parts.join(',') + '}'
}

/**
 * The canonical JSON of a hand-off's content around its list, for lists streamed record by record: `before` +
 * the records' canonical texts joined by `,` + `after` is `canonicalContent` of the content with that list under
 * `listKey`. `content` itself need not hold the list.
 */
export function canonicalContentAround(content: Record<string, unknown>, listKey: string): [before: string, after: string] {
  const keys = Object.keys(content).filter((k) => k !== listKey && content[k] !== undefined)
  keys.push(listKey)
  keys.sort()
  let before = ''
  let after: string | undefined
  for (const key of keys) {
    if (key === listKey) {
      before += (before ? ',' : '') + q(key) + ':['
      after = ']'
    } else {
      const part = q(key) + ':' + canonicalJson(content[key])
      if (after === undefined) before += (before ? ',' : '') + part
      else after += ',' + part
    }
  }
  return ['{' + before, after + '}']
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
