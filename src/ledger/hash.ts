import {hash as oneShotHash} from 'node:crypto'

import {ACK_FIELDS as ACKS, EVENT_FIELDS as EVENTS, isJsonField, type Field} from '../model/ledger-fields.js'
import {compileFields} from './derive.js'
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
  if (typeof (value as {toJSON?: unknown}).toJSON === 'function')
    return canon((value as {toJSON: () => unknown}).toJSON())
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

const EVENT_FIELDS: readonly Field[] = EVENTS
const ACK_FIELDS: readonly Field[] = ACKS

/** The event fields its hash covers: all but the last (`hash`), in record order. */
const EVENT_BODY = EVENT_FIELDS.slice(0, -1)
/** The ack fields its hash covers. */
const ACK_BODY = ACK_FIELDS.slice(0, -1)

/** The fields of an event that its hash covers, in record form: every field but `hash`. */
export const eventBody = compileFields<(e: Omit<LedgerEvent, 'hash'>) => Omit<LedgerEvent, 'hash'>>(
  ['e'],
  EVENT_BODY,
  (names) => `return {${names.map((n) => `${n}: e.${n}`).join(', ')}}`,
)

const q = JSON.stringify

/** The event's keys in RFC 8785 order (UTF-16 code units), `hash` among them. */
const SORTED_EVENT_FIELDS = [...EVENT_FIELDS].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

/**
 * `JSON.stringify` of an object literal with the event's keys in sorted order; `hash` only when `h` (JSON.stringify
 * leaves out undefined: one shape, with or without the hash).
 */
const sortedEventJson = compileFields<(e: Omit<LedgerEvent, 'hash'> & {hash?: string}, h: boolean) => string>(
  ['e', 'h'],
  SORTED_EVENT_FIELDS,
  (names) =>
    `return JSON.stringify({${names.map((n) => (n === 'hash' ? 'hash: h ? e.hash : undefined' : `${n}: e.${n}`)).join(', ')}})`,
)

/**
 * True when JSON.stringify of the event's values is their RFC 8785 form: strings, nulls where the table allows
 * them, safe integers and lists of strings (see {@link canonicalEvent}).
 */
const plainEvent = compileFields<(e: object) => boolean>(['e'], EVENT_FIELDS, () => {
  const checks = EVENT_FIELDS.map((f) => {
    const v = `e.${f.name}`
    const orNull = (test: string): string => (f.nullable ? `(${v} === null || ${test})` : test)
    if (f.kind === 'seq' || f.kind === 'count') return orNull(`Number.isSafeInteger(${v})`)
    if (f.kind === 'macs') return `Array.isArray(${v}) && ${v}.every((m) => typeof m === 'string')`
    if (isJsonField(f)) return 'false'
    // The hash is optional here: the body is canonicalised without it.
    if (f.name === 'hash') return `(${v} === undefined || typeof ${v} === 'string')`
    return orNull(`typeof ${v} === 'string'`)
  })
  return `return ${checks.join(' &&\n  ')}`
})

/**
 * The canonical JSON of an event (with its `hash` when `withHash`): the same text as `canonicalJson(eventBody(e))`
 * (a test keeps them equal). For the usual event, whose values are strings, nulls, an integer seq and an array of
 * strings, RFC 8785 is exactly `JSON.stringify` of an object whose keys are inserted in sorted order: V8's native
 * serializer then writes it in one call, without sorting keys or concatenating 21 pieces 100,000 times. Anything
 * else (a damaged row, say) takes the generic path.
 */
export function canonicalEvent(e: Omit<LedgerEvent, 'hash'> & {hash?: string}, withHash = false): string {
  if (!plainEvent(e)) return canonicalJson(withHash ? {...eventBody(e), hash: e.hash} : eventBody(e))
  return sortedEventJson(e, withHash)
}

/** The key after `hash` in sort order: where {@link withHash} puts the hash. */
const AFTER_HASH = ',' + q(SORTED_EVENT_FIELDS[SORTED_EVENT_FIELDS.findIndex((f) => f.name === 'hash') + 1].name) + ':'

/**
 * `canonicalEvent(e, true)` from `canonicalEvent(e)`: the hash goes in just before the key after it in sort order
 * (`host_key`). Every quote inside a value is escaped, so the first `,"host_key":` is the key itself.
 */
export function withHash(canonical: string, hash: string): string {
  const at = canonical.indexOf(AFTER_HASH) + 1
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
export function canonicalContentAround(
  content: Record<string, unknown>,
  listKey: string,
): [before: string, after: string] {
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

/** The fields of an ack that its hash covers, in record form: every field but `hash`. */
export const ackBody = compileFields<(a: Omit<LedgerAck, 'hash'>) => Omit<LedgerAck, 'hash'>>(
  ['a'],
  ACK_BODY,
  (names) => `return {${names.map((n) => `${n}: a.${n}`).join(', ')}}`,
)

export function hashAck(a: Omit<LedgerAck, 'hash'>): string {
  return sha256Hex(canonicalJson(ackBody(a)))
}
