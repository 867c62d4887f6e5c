import type {Problem} from '../model/errors.js'
import {
  ACK_FIELDS,
  EVENT_FIELDS,
  HANDOFF_FORMATS,
  HANDOFF_HEADER_FIELDS,
  HEAD_FIELDS,
  SIGNATURE_FIELDS,
  type Field,
  type HandoffFormat,
} from '../model/ledger-fields.js'
import {compileFields} from './derive.js'
import {LedgerError} from './errors.js'
import {handoffValidator, shapeProblems} from './handoff-schema.js'
import {readYaml, YamlSyntaxError, type YamlPos, type YamlPositions} from './handoff-yaml.js'
import type {ChainHead} from './heads.js'
import type {Signature} from './keys.js'
import type {LedgerAck, LedgerEvent} from '../model/ledger.js'

export {HANDOFF_FORMAT, HANDOFF_FORMATS, type HandoffFormat} from '../model/ledger-fields.js'

/** What a hand-off file carries: events from their issuer, or acks back from the re-checking company. */
export type HandoffType = 'events' | 'acks'

/** The signed content of a hand-off file: everything but `signature` (fields: HANDOFF_HEADER_FIELDS, then the lists). */
export interface HandoffContent {
  /** 3 as written now; 2 as read from older files (see handoff-sign.ts for how each is signed). */
  fleet_audit_handoff: HandoffFormat
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

// ---------------------------------------------------------------------------------------------------------------
// Writing: a fixed, line-per-field layout in the field tables' order. Strings that YAML could read as anything else
// are JSON-quoted (YAML 1.2 reads JSON strings as double-quoted scalars), nested values are written as JSON flow
// collections.

const PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/
const RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/i

export function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

const HEX64 = /^[0-9a-f]{64}$/
/** Never equal to a field's value: what a memo holds before its first value. */
const NONE = Symbol('none')

/**
 * The source of `scalar(v)` for one field, with shortcuts that give exactly `scalar`'s text for the values a list
 * usually holds (a test compares both on hostile values); anything else is left to `s` (scalar) itself:
 * - a hash of 64 hex digits is plain when it starts with a letter, else quoted (nothing in it needs escaping);
 * - a time starts with a digit, so it is never plain: `q` (JSON.stringify);
 * - a number is its own text; an enum value that scalar leaves plain is itself;
 * - ids, times and text usually repeat from one record to the next (the issuer, the actor, the recorded time): the
 *   last value and its text are kept (`m_<name>`, `o_<name>`), for anything but objects (a list could change).
 */
function scalarSource(f: Field, v: string, memo: string): string {
  switch (f.kind) {
    case 'hash': {
      return `(typeof ${v} === 'string' && h.test(${v}) ? (${v}.charCodeAt(0) >= 97 ? ${v} : '"' + ${v} + '"') : s(${v}))`
    }

    case 'seq':
    case 'count': {
      return `(typeof ${v} === 'number' ? '' + ${v} : s(${v}))`
    }

    case 'enum': {
      const plain = (f.values ?? []).filter((x) => scalar(x) === x)
      return plain.length > 0
        ? `(${plain.map((x) => `${v} === ${JSON.stringify(x)}`).join(' || ')} ? ${v} : s(${v}))`
        : `s(${v})`
    }

    case 'id':
    case 'text':
    case 'time': {
      const text =
        f.kind === 'time'
          ? `(typeof ${v} === 'string' && ${v}.charCodeAt(0) >= 48 && ${v}.charCodeAt(0) <= 57 ? q(${v}) : s(${v}))`
          : `s(${v})`
      const [m, o] = [`m_${memo}`, `o_${memo}`]
      // The text first, the value after: when making the text throws (scalar refuses a BigInt), nothing is remembered.
      return `(${v} === ${m} ? ${o} : typeof ${v} === 'object' && ${v} !== null ? s(${v}) : ((${o} = ${text}), (${m} = ${v}), ${o}))`
    }

    default: {
      return `s(${v})`
    }
  }
}

/**
 * One record of a list, a line per field in table order: `  - first: …\n    second: …\n`, each value as
 * `scalar` writes it ({@link scalarSource}).
 */
function recordRenderer(fields: readonly Field[]): (r: object) => string {
  const make = compileFields<
    (s: typeof scalar, h: RegExp, q: typeof JSON.stringify, none: symbol) => (r: object) => string
  >(
    ['s', 'h', 'q', 'none'],
    fields,
    (names) =>
      names.map((n) => `let m_${n} = none, o_${n} = ''`).join('\n') +
      '\nreturn (r) => ' +
      names
        .map(
          (n, i) =>
            `${JSON.stringify((i === 0 ? '  - ' : '    ') + n + ': ')} + ${scalarSource(fields[i], `r.${n}`, n)} + "\\n"`,
        )
        .join(' +\n  '),
  )
  return make(scalar, HEX64, JSON.stringify, NONE)
}

const renderEvent = recordRenderer(EVENT_FIELDS)
const renderAck = recordRenderer(ACK_FIELDS)
const renderChainHead = recordRenderer(HEAD_FIELDS)

/** Renders a hand-off file; the layout is cosmetic, only the parsed content is signed. */
export function renderHandoff(content: HandoffContent, signature: Signature): string {
  const out: string[] = []
  if (content.type === 'events') {
    out.push(renderHead(content, content.events!.length))
    // One string per record (not per line): 100,000 events are two million lines.
    for (const record of content.events!) out.push(renderEvent(record))
  } else {
    out.push(renderHead(content, content.acks!.length))
    for (const record of content.acks!) out.push(renderAck(record))
  }
  out.push(renderSignature(signature))
  return out.join('')
}

/** The comment, the header fields and the list's key: everything before the first record. */
export function renderHead(content: Omit<HandoffContent, 'events' | 'acks'>, listLength: number): string {
  let text =
    `# fleet-audit hand-off list: ${content.type} ${content.first_seq}..${content.last_seq} from ${content.issuer} to ${content.recipient}.\n` +
    (content.fleet_audit_handoff === 2
      ? '# Signed (Ed25519 over the RFC 8785 canonical JSON of everything but `signature`): a changed value is refused on import;\n# layout (indentation, quoting, line endings) may change freely.\n'
      : '# Signed (Ed25519 over the header and content_sha256, the SHA-256 of the RFC 8785 canonical JSON of all but `signature`):\n# a changed value is refused on import; layout (indentation, quoting, line endings) may change freely.\n')
  for (const {name} of HANDOFF_HEADER_FIELDS) text += `${name}: ${scalar(content[name as keyof typeof content])}\n`
  text += `heads:${content.heads.length === 0 ? ' []' : ''}\n`
  for (const head of content.heads) text += renderChainHead(head)
  return text + `${content.type}:${listLength === 0 ? ' []' : ''}\n`
}

/** One event of a list, as {@link renderHandoff} writes it. */
export function renderEventRecord(event: LedgerEvent): string {
  return renderEvent(event)
}

/** The signature block, a line per field of SIGNATURE_FIELDS that the signature has (`content_sha256`: format 3). */
export function renderSignature(signature: Signature): string {
  let text = 'signature:\n'
  for (const {name} of SIGNATURE_FIELDS) {
    const value = signature[name as keyof Signature]
    if (value !== undefined) text += `  ${name}: ${scalar(value)}\n`
  }
  return text
}

// ---------------------------------------------------------------------------------------------------------------
// Reading: one parser (handoff-yaml.ts) reads any YAML that means the same content (re-indented, CRLF, written by
// another YAML tool); one JSON Schema derived from the field tables (handoff-schema.ts) checks its shape, since the
// file is input from another company. Positions are looked up only for a file with problems.

/** Parses and shape-checks a hand-off file; every shape problem at once, with line and column. */
export function parseHandoff(text: string, file?: string): HandoffFile {
  let data: unknown
  try {
    data = readYaml(text)
  } catch (error) {
    throw readError(error, file)
  }
  if (
    !data ||
    typeof data !== 'object' ||
    Array.isArray(data) ||
    (data as Record<string, unknown>).fleet_audit_handoff === undefined
  )
    throw new LedgerError({
      code: 'E_HANDOFF_FORMAT',
      message: 'not a fleet-audit hand-off file (no fleet_audit_handoff key)',
      file,
      line: 1,
      column: 1,
    })
  const record = data as Record<string, unknown>
  // Read again with positions, only when one is needed: the positions belong to the values of that second reading.
  let located: {positions: YamlPositions; root: unknown} | undefined
  const locate = (path: readonly (string | number)[], key = false): YamlPos | undefined => {
    if (!located) {
      const positions: YamlPositions = new Map()
      located = {positions, root: readYaml(text, positions)}
    }
    return positionOf(located.positions, located.root, path, key)
  }
  const at = (path: readonly (string | number)[], key = false): Pick<Problem, 'line' | 'column'> => {
    const pos = locate(path, key)
    return pos ? {line: pos[0], column: pos[1]} : {}
  }
  if (!(HANDOFF_FORMATS as readonly unknown[]).includes(record.fleet_audit_handoff)) {
    const format = JSON.stringify(record.fleet_audit_handoff)
    throw new LedgerError({
      code: 'E_HANDOFF_FORMAT',
      message: `fleet_audit_handoff: format ${format} is not supported (this fleet-audit reads ${HANDOFF_FORMATS.join(' and ')})`,
      file,
      ...at(['fleet_audit_handoff']),
    })
  }
  const validate = handoffValidator()
  if (!validate(data)) {
    const problems = shapeProblems(data, validate.errors ?? []).map((p): Problem => ({
      code: 'E_HANDOFF_FORMAT',
      message: `${p.path.join('.')}: ${p.message}`,
      file,
      ...at(p.path, p.key),
    }))
    throw new LedgerError(problems)
  }
  const {signature, ...content} = record
  const listKey = content.type === 'acks' ? 'acks' : 'events'
  return {
    content: content as unknown as HandoffContent,
    signature: signature as Signature | undefined,
    lineOf: (index) => locate([listKey, index])?.[0],
  }
}

/** A parser error as a problem at its place; a RangeError (a stack overflow) is input too, never a crash. */
function readError(error: unknown, file: string | undefined): LedgerError {
  if (error instanceof YamlSyntaxError)
    return new LedgerError({code: error.code, message: error.message, file, line: error.line, column: error.column})
  if (error instanceof RangeError)
    return new LedgerError({
      code: 'E_HANDOFF_FORMAT',
      message: 'not a readable hand-off file: nested too deeply',
      file,
      line: 1,
      column: 1,
    })
  throw error
}

/** The position of the value (or key) at `path`; the nearest enclosing one when it has none of its own. */
function positionOf(
  positions: YamlPositions,
  data: unknown,
  path: readonly (string | number)[],
  key = false,
): YamlPos | undefined {
  let node = data
  let best: YamlPos | undefined
  for (let i = 0; i < path.length; i++) {
    if (node === null || typeof node !== 'object') break
    const entry = positions.get(node)?.get(path[i])
    if (!entry) break
    best = i === path.length - 1 && key ? (entry.key ?? entry.value) : entry.value
    node = (node as Record<string | number, unknown>)[path[i]]
  }
  return best
}
