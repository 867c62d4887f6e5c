import {LineCounter, parseDocument, isNode, visit} from 'yaml'

import type {Problem} from '../model/errors.js'
import {tagProblems} from '../io/yaml.js'
import {LedgerError} from './errors.js'
import {HEAD_FIELDS, type ChainHead} from './heads.js'
import type {Signature} from './keys.js'
import {isSafeText} from '../io/text.js'
import {isOffsetTime} from '../io/time.js'
import {EVENT_KINDS, type LedgerAck, type LedgerEvent} from '../model/ledger.js'

/** The format marker and version of a hand-off file (2: with the sender's signed chain heads). */
export const HANDOFF_FORMAT = 2

/** What a hand-off file carries: events from their issuer, or acks back from the re-checking company. */
export type HandoffType = 'events' | 'acks'

/** The signed content of a hand-off file: everything but `signature`. */
export interface HandoffContent {
  fleet_audit_handoff: typeof HANDOFF_FORMAT
  type: HandoffType
  /** The company that made and signed the list (for acks: the acknowledging company). */
  issuer: string
  recipient: string
  created_at: string
  first_seq: number
  last_seq: number
  count: number
  /** Hash of the record just before `first_seq` (null when the list starts the chain). */
  prev_hash: string | null
  /** Hash of the record at `last_seq` (equal to `prev_hash` for an empty list). */
  last_hash: string | null
  /** The sender's signed heads of its own chains and of the recipient's chains it holds (see heads.ts). */
  heads: ChainHead[]
  events?: LedgerEvent[]
  acks?: LedgerAck[]
}

/** A parsed hand-off file. */
export interface HandoffFile {
  content: HandoffContent
  signature: Signature | undefined
  /** Where each record starts (1-based line), for messages. */
  lineOf(index: number): number | undefined
}

const HEADER_KEYS = ['fleet_audit_handoff', 'type', 'issuer', 'recipient', 'created_at', 'first_seq', 'last_seq', 'count', 'prev_hash', 'last_hash']

// ---------------------------------------------------------------------------------------------------------------
// Writing: a fixed, line-per-field layout. Strings that YAML could read as anything else are JSON-quoted (YAML 1.2
// reads JSON strings as double-quoted scalars), nested values are written as JSON flow collections.

const PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/
const RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/i

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

/** Renders a hand-off file; the layout is cosmetic, only the parsed content is signed. */
export function renderHandoff(content: HandoffContent, signature: Signature): string {
  const list = (content.type === 'events' ? content.events! : content.acks!) as unknown as Record<string, unknown>[]
  const out: string[] = [renderHead(content, list.length)]
  // One string per record (not per line): 100,000 events are two million lines.
  for (const record of list) out.push(renderRecord(record))
  out.push(renderSignature(signature))
  return out.join('')
}

/** The comment, the header fields and the list's key: everything before the first record. */
export function renderHead(content: Omit<HandoffContent, 'events' | 'acks'>, listLength: number): string {
  let text =
    `# fleet-audit hand-off list: ${content.type} ${content.first_seq}..${content.last_seq} from ${content.issuer} to ${content.recipient}.\n` +
    '# Signed (Ed25519 over the RFC 8785 canonical JSON of everything but `signature`): a changed value is refused on import;\n# layout (indentation, quoting, line endings) may change freely.\n'
  for (const key of HEADER_KEYS) text += `${key}: ${scalar(content[key as keyof typeof content])}\n`
  text += `heads:${content.heads.length === 0 ? ' []' : ''}\n`
  for (const head of content.heads) text += renderRecord(head)
  return text + `${content.type}:${listLength === 0 ? ' []' : ''}\n`
}

/** One record of the list, a line per field in the record's own key order. */
export function renderRecord(record: object): string {
  let text = ''
  let prefix = '  - '
  for (const key in record) {
    text += prefix + key + ': ' + scalar((record as Record<string, unknown>)[key]) + '\n'
    prefix = '    '
  }
  return text
}

export function renderSignature(signature: Signature): string {
  return `signature:\n  algorithm: ${signature.algorithm}\n  key: ${scalar(signature.key)}\n  value: ${scalar(signature.value)}\n`
}

// ---------------------------------------------------------------------------------------------------------------
// Reading: any YAML that means the same content is accepted (re-indented, CRLF, flow style); then the shape is
// checked field by field, since the file is input from another company.

/**
 * Parses and shape-checks a hand-off file; every shape problem at once, with line numbers. Files in the layout
 * {@link renderHandoff} writes take a line-by-line fast path (the general YAML parser needs ~1 ms per event);
 * anything else — re-indented, CRLF, edited by hand, or wrong — goes through the `yaml` parser.
 */
export function parseHandoff(text: string, file?: string): HandoffFile {
  try {
    return parseAny(text, file)
  } catch (error) {
    if (error instanceof LedgerError) throw error
    // Parsing and shape checks recurse per nesting level: a hostile file nested 100,000 deep is input, not a crash.
    const why = error instanceof RangeError ? 'nested too deeply' : (error as Error).message
    throw new LedgerError({code: 'E_HANDOFF_FORMAT', message: `not a readable hand-off file: ${why}`, file, line: 1, column: 1})
  }
}

function parseAny(text: string, file?: string): HandoffFile {
  const fast = parseFast(text)
  if (fast) {
    const problems: Problem[] = []
    checkShape(fast.data, (path, message) => void problems.push({code: 'E_HANDOFF_FORMAT', message: `${path.join('.')}: ${message}`}))
    if (problems.length === 0) {
      const {signature, ...content} = fast.data
      return {content: content as unknown as HandoffContent, signature: signature as Signature | undefined, lineOf: (i) => fast.lines[i]}
    }
  }
  return parseYaml(text, file)
}

function parseYaml(text: string, file?: string): HandoffFile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, uniqueKeys: true, prettyErrors: false, stringKeys: true})
  const at = (offset: number | undefined): Pick<Problem, 'line' | 'column'> => {
    if (offset === undefined) return {}
    const pos = lineCounter.linePos(offset)
    return {line: pos.line, column: pos.col}
  }
  // Aliases would be expanded by toJS (an alias bomb): a hand-off file written by fleet-audit has none, so they are
  // refused at their position, like tags outside the core schema (`!!js/function`, `!custom`).
  const refused: Problem[] = doc.errors.map((e) => ({code: 'E_HANDOFF_FORMAT', message: `not a readable hand-off file: ${e.message.split('\n')[0]}`, file, ...at(e.pos[0])}))
  visit(doc, {
    Alias(_key, node) {
      refused.push({code: 'E_HANDOFF_FORMAT', message: 'not a readable hand-off file: aliases (*name) are not allowed', file, ...at(node.range?.[0])})
      return visit.BREAK
    },
  })
  refused.push(...tagProblems(doc, lineCounter, text, file))
  if (refused.length > 0) throw new LedgerError(refused)
  const nodeAt = (path: (string | number)[]): number | undefined => {
    const node = doc.getIn(path, true)
    return isNode(node) && node.range ? node.range[0] : undefined
  }
  const problems: Problem[] = []
  const bad = (path: (string | number)[], message: string): void =>
    void problems.push({code: 'E_HANDOFF_FORMAT', message: `${path.join('.')}: ${message}`, file, ...at(nodeAt(path))})

  const data = doc.toJS({maxAliasCount: 0}) as Record<string, unknown> | null
  if (!data || typeof data !== 'object' || Array.isArray(data) || data.fleet_audit_handoff === undefined)
    throw new LedgerError({code: 'E_HANDOFF_FORMAT', message: 'not a fleet-audit hand-off file (no fleet_audit_handoff key)', file, line: 1, column: 1})
  checkShape(data, bad)
  if (problems.length > 0) throw new LedgerError(problems)
  const {signature, ...content} = data
  const listKey = data.type === 'acks' ? 'acks' : 'events'
  return {
    content: content as unknown as HandoffContent,
    signature: signature as Signature | undefined,
    lineOf: (index) => at(nodeAt([listKey, index])).line,
  }
}

const KEY = /^[a-z_]+$/
const DIGITS = /^\d{1,15}$/
const SIMPLE_QUOTED = /^"[^"\\\u0000-\u001f]*"$/

/** Reads one value as written by `scalar`; undefined when the text is not in that exact form. */
function readScalar(text: string): unknown {
  const c = text.charCodeAt(0)
  // A quoted string with nothing to unescape (a hash, a time) is its inside: what JSON.parse returns, without it.
  if (c === 34 /* " */ && SIMPLE_QUOTED.test(text)) return text.slice(1, -1)
  if (c === 34 /* " */ || c === 91 /* [ */ || c === 123 /* { */) {
    try {
      return JSON.parse(text)
    } catch {
      return undefined
    }
  }
  if (c >= 48 && c <= 57) return DIGITS.test(text) ? Number(text) : undefined
  if (text === 'null') return null
  return PLAIN.test(text) && !RESERVED.test(text) ? text : undefined
}

/**
 * The fast path: exactly the layout renderHandoff writes (LF only), or undefined to use the YAML parser.
 */
function parseFast(text: string): {data: Record<string, unknown>; lines: number[]} | undefined {
  if (text.includes('\r') || text.includes('\t')) return undefined
  const data: Record<string, unknown> = {}
  const lines: number[] = []
  let list: Record<string, unknown>[] | undefined
  let item: Record<string, unknown> | undefined
  let block: Record<string, unknown> | undefined
  let events: Record<string, unknown>[] | undefined
  /** The list of records (events or acks), whose items' lines lineOf reports. */
  let records: Record<string, unknown>[] | undefined
  const interned = new Map<string, string | null>()
  // Offsets into the text rather than split lines: a 100,000-event list has two million lines.
  for (let pos = 0, n = 1; pos < text.length; n++) {
    let end = text.indexOf('\n', pos)
    if (end < 0) end = text.length
    const lineStart = pos
    pos = end + 1
    if (end === lineStart || text.charCodeAt(lineStart) === 35 /* # */) continue
    let start = lineStart
    while (text.charCodeAt(start) === 32) start++
    const indent = start - lineStart
    let target: Record<string, unknown>
    if (indent === 0) {
      list = item = block = undefined
      target = data
    } else if (indent === 2 && list && text.charCodeAt(start) === 45 /* - */ && text.charCodeAt(start + 1) === 32) {
      const read = list === events ? readEventLines(text, lineStart, interned) : undefined
      if (read) {
        // The same object the lines below would give, read in one go; anything after it goes on as usual.
        list.push((item = read.event))
        if (list === records) lines.push(n)
        n += EVENT_LINE_PREFIXES.length - 1
        pos = read.next
        continue
      }
      item = {}
      list.push(item)
      if (list === records) lines.push(n)
      start += 2
      target = item
    } else if (indent === 4 && item) target = item
    else if (indent === 2 && block) target = block
    else return undefined
    let colon = text.indexOf(': ', start)
    if (colon >= end) colon = -1
    const key = colon < 0 ? (text.charCodeAt(end - 1) === 58 /* : */ ? text.slice(start, end - 1) : '') : text.slice(start, colon)
    if (!KEY.test(key) || key in target) return undefined
    if (colon < 0) {
      if (target !== data) return undefined
      if (key === 'signature') data[key] = block = {}
      else {
        data[key] = list = []
        if (key === 'events') events = list
        if (key === 'events' || key === 'acks') records = list
      }
      continue
    }
    const value = readScalar(text.slice(colon + 2, end))
    if (value === undefined) return undefined
    if (target === data && (key === 'events' || key === 'acks' || key === 'heads')) {
      if (!Array.isArray(value) || value.length > 0) return undefined
    }
    target[key] = value
  }
  // `key:` with nothing under it is null in YAML, not an empty list or mapping: leave such files to the parser.
  for (const value of Object.values(data)) if (value !== null && typeof value === 'object' && Object.keys(value).length === 0 && !Array.isArray(value)) return undefined
  for (const key of ['events', 'acks', 'heads']) if (Array.isArray(data[key]) && (data[key] as unknown[]).length === 0 && !new RegExp(`^${key}: \\[\\]$`, 'm').test(text)) return undefined
  return {data, lines}
}

const EVENT_LINE_KEYS = [
  'issuer', 'seq', 'kind', 'terminal', 'site', 'zone', 'from_site', 'from_zone', 'role', 'owner', 'host_key', 'serial', 'macs',
  'actor', 'approver', 'delegation', 'occurred_at', 'recorded_at', 'note', 'prev_hash', 'hash',
]
/** The lines of one event as renderHandoff writes it: every field, in record order. */
const EVENT_LINE_PREFIXES = EVENT_LINE_KEYS.map((key, i) => (i === 0 ? '  - ' : '    ') + key + ': ')
/** Fields whose few distinct values repeat across a list: read once, then shared (less to keep, less for the GC). */
const REPEATING = EVENT_LINE_KEYS.map((key) =>
  ['issuer', 'kind', 'site', 'zone', 'role', 'owner', 'actor', 'approver', 'delegation', 'occurred_at', 'recorded_at'].includes(key),
)

/**
 * The event whose `  - issuer: …` line starts at `pos`, when it and the 20 lines after it are exactly the fields of
 * an event in record order with values in `scalar` form; else undefined (the caller reads the lines one by one).
 * Gives the same object as the line-by-line reader, with one fixed shape for all 100,000. `interned` maps the text of
 * a repeating field's value to the value (strings and null only: nothing mutable is shared between records).
 */
function readEventLines(text: string, pos: number, interned: Map<string, string | null>): {event: Record<string, unknown>; next: number} | undefined {
  const v: unknown[] = new Array(EVENT_LINE_PREFIXES.length)
  for (let k = 0; k < EVENT_LINE_PREFIXES.length; k++) {
    const prefix = EVENT_LINE_PREFIXES[k]
    if (!text.startsWith(prefix, pos)) return undefined
    let end = text.indexOf('\n', pos)
    if (end < 0) end = text.length
    const raw = text.slice(pos + prefix.length, end)
    let value: unknown = REPEATING[k] ? interned.get(raw) : undefined
    if (value === undefined) {
      value = readScalar(raw)
      if (value === undefined) return undefined
      if (REPEATING[k] && (value === null || typeof value === 'string') && interned.size < 10_000) interned.set(raw, value as string | null)
    }
    v[k] = value
    pos = end + 1
  }
  const event = {
    issuer: v[0],
    seq: v[1],
    kind: v[2],
    terminal: v[3],
    site: v[4],
    zone: v[5],
    from_site: v[6],
    from_zone: v[7],
    role: v[8],
    owner: v[9],
    host_key: v[10],
    serial: v[11],
    macs: v[12],
    actor: v[13],
    approver: v[14],
    delegation: v[15],
    occurred_at: v[16],
    recorded_at: v[17],
    note: v[18],
    prev_hash: v[19],
    hash: v[20],
  }
  return {event, next: pos}
}

type Bad = (path: (string | number)[], message: string) => void

function checkShape(data: Record<string, unknown>, bad: Bad): void {
  if (data.fleet_audit_handoff !== HANDOFF_FORMAT) bad(['fleet_audit_handoff'], `format ${String(data.fleet_audit_handoff)} is not supported (this fleet-audit reads ${HANDOFF_FORMAT})`)
  const type = data.type
  if (type !== 'events' && type !== 'acks') bad(['type'], 'must be events or acks')
  for (const key of ['issuer', 'recipient', 'created_at']) if (typeof data[key] !== 'string') bad([key], 'must be a string')
  for (const key of ['first_seq', 'last_seq', 'count']) if (!Number.isInteger(data[key])) bad([key], 'must be an integer')
  for (const key of ['prev_hash', 'last_hash']) if (data[key] !== null && typeof data[key] !== 'string') bad([key], 'must be a hash or null')
  const allowed = new Set([...HEADER_KEYS, 'heads', 'events', 'acks', 'signature'])
  if (!Array.isArray(data.heads)) bad(['heads'], 'must be a list of signed chain heads')
  else data.heads.forEach((head, i) => checkRecord(HEAD_ENTRIES, HEAD_KEYS, head, (field, message) => bad(['heads', i, ...field], message)))
  for (const key of Object.keys(data)) if (!allowed.has(key)) bad([key], 'unknown key')
  const listKey = type === 'acks' ? 'acks' : 'events'
  const list = data[listKey]
  if (!Array.isArray(list)) bad([listKey], 'must be a list')
  else list.forEach((record, i) => (type === 'acks' ? checkAck : checkEvent)(record, (field, message) => bad([listKey, i, ...field], message)))
  const signature = data.signature as Signature | undefined
  if (signature !== undefined) {
    if (!signature || typeof signature !== 'object') bad(['signature'], 'must be a mapping')
    else {
      if (signature.algorithm !== 'ed25519') bad(['signature', 'algorithm'], 'must be ed25519')
      if (typeof signature.key !== 'string') bad(['signature', 'key'], 'must be a key fingerprint')
      if (typeof signature.value !== 'string') bad(['signature', 'value'], 'must be a base64 signature')
    }
  }
}

const INT = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1
/**
 * Signed is not the same as sound: the other company's key vouches for who wrote a record, not that its values can
 * be used. Ids, times, hashes and MACs must have their form; free text may not carry control characters, bidi
 * overrides or lone surrogates (which SQLite would silently replace, breaking the hash).
 */
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const HASH_RE = /^[0-9a-f]{64}$/
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/
const ID = (v: unknown): boolean => typeof v === 'string' && ID_RE.test(v)
const TIME = (v: unknown): boolean => typeof v === 'string' && isOffsetTime(v)
const HASH = (v: unknown): boolean => typeof v === 'string' && HASH_RE.test(v)
const TEXT = (v: unknown): boolean => isSafeText(v)
const orNull = (ok: (v: unknown) => boolean) => (v: unknown): boolean => v === null || ok(v)
const MACS = (v: unknown): boolean => Array.isArray(v) && v.length <= 64 && v.every((m) => typeof m === 'string' && MAC_RE.test(m))

const EVENT_FIELDS: Record<keyof LedgerEvent, (v: unknown) => boolean> = {
  issuer: ID,
  seq: INT,
  kind: (v) => EVENT_KINDS.includes(v as never),
  terminal: ID,
  site: ID,
  zone: ID,
  from_site: orNull(ID),
  from_zone: orNull(ID),
  role: (v) => v === 'nw' || v === 'retail',
  owner: ID,
  host_key: orNull(TEXT),
  serial: orNull(TEXT),
  macs: MACS,
  actor: ID,
  approver: ID,
  delegation: orNull(TEXT),
  occurred_at: TIME,
  recorded_at: TIME,
  note: orNull(TEXT),
  prev_hash: orNull(HASH),
  hash: HASH,
}

const ACK_FIELDS: Record<keyof LedgerAck, (v: unknown) => boolean> = {
  acker: ID,
  issuer: ID,
  seq: INT,
  event_seq: INT,
  event_hash: HASH,
  state: (v) => v === 'verified' || v === 'rejected',
  evidence: (v) => Array.isArray(v) && v.every((f) => f !== null && typeof f === 'object'),
  actor: orNull(ID),
  checked_at: TIME,
  recorded_at: TIME,
  note: orNull(TEXT),
  prev_hash: orNull(HASH),
  hash: HASH,
}

const HEAD_CHECKS: Record<keyof ChainHead, (v: unknown) => boolean> = {
  signer: ID,
  chain: (v) => v === 'events' || v === 'acks',
  company: ID,
  about: orNull(ID),
  seq: (v) => Number.isInteger(v) && (v as number) >= 0,
  hash: orNull(HASH),
  signed_at: TIME,
  key: (v) => typeof v === 'string' && /^SHA256:[A-Za-z0-9+/]{43}$/.test(v),
  signature: (v) => typeof v === 'string' && /^[A-Za-z0-9+/]{86}==$/.test(v),
}
const HEAD_ENTRIES = HEAD_FIELDS.map((k) => [k, HEAD_CHECKS[k]] as [string, (v: unknown) => boolean])
const HEAD_KEYS = new Set<string>(HEAD_FIELDS)

function checkRecord(fields: [string, (v: unknown) => boolean][], known: Set<string>, record: unknown, bad: Bad): void {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return bad([], 'must be a mapping')
  const r = record as Record<string, unknown>
  for (const [key, ok] of fields) {
    if (!(key in r)) bad([], `missing ${key}`)
    else if (!ok(r[key])) bad([key], `invalid value ${JSON.stringify(r[key])}`)
  }
  for (const key in r) if (!known.has(key)) bad([key], 'unknown key')
}

const EVENT_ENTRIES = Object.entries(EVENT_FIELDS)
const EVENT_KEYS = new Set(Object.keys(EVENT_FIELDS))
const ACK_ENTRIES = Object.entries(ACK_FIELDS)
const ACK_KEYS = new Set(Object.keys(ACK_FIELDS))
const checkEvent = (record: unknown, bad: Bad): void => {
  if (!validEvent(record)) checkRecord(EVENT_ENTRIES, EVENT_KEYS, record, bad)
}


/**
 * True when {@link checkRecord} would find nothing wrong with an event: EVENT_FIELDS written out, for the 100,000
 * records of a bulk list. Each value check fails on a missing key (undefined); with all 21 present, 21 keys means
 * none unknown. On false, checkRecord says what is wrong.
 */
function validEvent(record: unknown): boolean {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return false
  const r = record as Record<string, unknown>
  for (let i = 0; i < EVENT_ENTRIES.length; i++) if (!EVENT_ENTRIES[i][1](r[EVENT_ENTRIES[i][0]])) return false
  return countKeys(r) === EVENT_KEYS.size
}

/** The keys `for…in` visits, as checkRecord's unknown-key loop does. */
function countKeys(r: object): number {
  let n = 0
  for (const _ in r) n++
  return n
}
const checkAck = (record: unknown, bad: Bad): void => checkRecord(ACK_ENTRIES, ACK_KEYS, record, bad)
