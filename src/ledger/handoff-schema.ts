import type {ErrorObject, ValidateFunction} from 'ajv'

import {
  ACK_FIELDS,
  EVENT_FIELDS,
  FIELD_PATTERNS,
  HANDOFF_FORMATS,
  HANDOFF_HEADER_FIELDS,
  HEAD_FIELDS,
  SIGNATURE_FIELDS,
  type Field,
} from '../model/ledger-fields.js'
import {schemaValidator} from '../io/schema.js'

/**
 * The JSON Schema of a hand-off file, derived from the field tables. It is kept in `schemas/handoff.schema.json`
 * (published for anyone who checks a hand-off file on their own, and compiled at build time like the other schemas);
 * a test holds that file equal to this derivation, and `node scripts/handoff-schema.mjs` rewrites it after a build. Signed is not the same as sound: the other
 * company's key vouches for who wrote a record, not that its values can be used. Ids, times, hashes and MACs must
 * have their form; free text may not carry control characters, bidi overrides or lone surrogates (which SQLite
 * would silently replace, breaking the hash).
 */
export function handoffSchema(): Record<string, unknown> {
  const list = (fields: readonly Field[]) => ({type: 'array', items: record(fields)})
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://fleet-audit.example/schemas/handoff.schema.json',
    title: `fleet-audit hand-off file, formats ${HANDOFF_FORMATS.join(' and ')}`,
    type: 'object',
    properties: {
      ...properties(HANDOFF_HEADER_FIELDS),
      heads: list(HEAD_FIELDS),
      events: list(EVENT_FIELDS),
      acks: list(ACK_FIELDS),
      signature: record(SIGNATURE_FIELDS),
    },
    required: [...HANDOFF_HEADER_FIELDS.map((f) => f.name), 'heads'],
    additionalProperties: false,
    allOf: [
      // The list the header names must be there (an empty list is written `events: []`).
      {if: {properties: {type: {const: 'acks'}}}, then: {required: ['acks']}, else: {required: ['events']}},
      ...SIGNATURE_FIELDS.filter((f) => f.since !== undefined).map((f) => sinceRule('signature', f)),
    ],
  }
}

/** A field of a block that files of format `since` and later must have, and earlier ones must not. */
function sinceRule(block: string, f: Field): Record<string, unknown> {
  return {
    if: {properties: {fleet_audit_handoff: {enum: HANDOFF_FORMATS.filter((n) => n >= f.since!)}}},
    then: {properties: {[block]: {type: 'object', required: [f.name]}}},
    else: {properties: {[block]: {type: 'object', properties: {[f.name]: false}}}},
  }
}

function record(fields: readonly Field[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: properties(fields),
    required: fields.filter((f) => f.since === undefined).map((f) => f.name),
    additionalProperties: false,
  }
}

function properties(fields: readonly Field[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, valueSchema(f)]))
}

function valueSchema(f: Field): Record<string, unknown> {
  const nullable = (type: string): string | string[] => (f.nullable ? [type, 'null'] : type)
  switch (f.kind) {
    case 'id':
    case 'hash':
    case 'fingerprint':
    case 'signature': {
      return {type: nullable('string'), pattern: FIELD_PATTERNS[f.kind]}
    }
    case 'time': {
      return {type: nullable('string'), format: 'offset-time'}
    }
    case 'text': {
      return {type: nullable('string'), format: 'safe-text'}
    }
    case 'enum': {
      return {enum: f.nullable ? [...f.values!, null] : [...f.values!]}
    }
    case 'seq': {
      return {type: nullable('integer'), minimum: 1}
    }
    case 'count': {
      return {type: nullable('integer'), minimum: 0}
    }
    case 'format': {
      return {enum: [...HANDOFF_FORMATS]}
    }
    case 'macs': {
      return {type: 'array', maxItems: 64, items: {type: 'string', pattern: FIELD_PATTERNS.mac}}
    }
    case 'findings': {
      return {type: 'array', items: {type: 'object'}}
    }
  }
}

/** The check of a parsed hand-off file: `schemas/handoff.schema.json`, compiled at build time. */
export function handoffValidator(): ValidateFunction {
  return schemaValidator('handoff.schema.json')
}

/** One shape problem: the JSON path of the value (or of the unknown key) and what is wrong with it. */
export interface ShapeProblem {
  path: (string | number)[]
  /** The path names a key, not its value (an unknown key). */
  key: boolean
  message: string
}

/**
 * ajv's errors as one problem per value, in the words the earlier hand-written checks used:
 * `events.0.kind: invalid value "burgle"`, `events.0: missing hash`, `events.0.extra: unknown key`.
 */
export function shapeProblems(data: unknown, errors: readonly ErrorObject[]): ShapeProblem[] {
  const seen = new Set<string>()
  const out: ShapeProblem[] = []
  for (const e of errors) {
    if (e.keyword === 'if') continue
    const path = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s))
    let problem: ShapeProblem
    if (e.keyword === 'required') {
      const missing = (e.params as {missingProperty: string}).missingProperty
      problem = {path, key: false, message: `missing ${missing}`}
      if (path.length === 0 && (missing === 'events' || missing === 'acks'))
        problem = {path: [missing], key: false, message: 'must be a list'}
    } else if (e.keyword === 'false schema') {
      problem = {path, key: true, message: 'not allowed in a file of this format'}
    } else if (e.keyword === 'additionalProperties') {
      problem = {
        path: [...path, (e.params as {additionalProperty: string}).additionalProperty],
        key: true,
        message: 'unknown key',
      }
    } else {
      const value = valueAt(data, path)
      const container = value !== null && typeof value === 'object'
      problem = {
        path,
        key: false,
        message:
          container && e.keyword === 'type'
            ? `must be ${e.params.type === 'array' ? 'a list' : e.params.type === 'object' ? 'a mapping' : e.params.type}`
            : `invalid value ${shown(value)}`,
      }
    }
    const id = problem.path.join('/') + '\u0000' + problem.message
    if (problem.message.startsWith('invalid value') && seen.has(problem.path.join('/'))) continue
    if (seen.has(id)) continue
    seen.add(id)
    seen.add(problem.path.join('/'))
    out.push(problem)
  }
  return out
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v = data
  for (const seg of path)
    v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined
  return v
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? text.slice(0, 77) + '...' : text
}
