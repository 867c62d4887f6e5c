import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'
import addFormats from 'ajv-formats'

import type {Problem} from '../model/errors.js'
import {familyOf, parseAddress, parseCidr} from './address.js'
import {PACKAGE_ROOT} from './paths.js'
import {positionAt, splitPointer, type YamlSource} from './yaml.js'

/** The JSON Schemas kept in the repo (also usable by editors). */
const SCHEMA_DIR = join(PACKAGE_ROOT, 'schemas')

const cache = new Map<string, ValidateFunction>()

/** Compiles (once) one of the JSON Schemas kept in `schemas/`. */
export function schemaValidator(name: string): ValidateFunction {
  let validate = cache.get(name)
  if (!validate) {
    const ajv = new Ajv({allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true})
    addFormats.default(ajv, ['date', 'date-time'])
    // The same parsers the rules evaluate with: whatever validates here can be evaluated there.
    ajv.addFormat('cidr', {type: 'string', validate: (s: string) => parseCidr(s) !== undefined})
    ajv.addFormat('ip', {type: 'string', validate: (s: string) => familyOf(s) !== undefined})
    ajv.addFormat('address', {type: 'string', validate: (s: string) => parseAddress(s) !== undefined})
    validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, name), 'utf8')))
    cache.set(name, validate)
  }

  return validate
}

/** Turns ajv errors into problems positioned in the YAML source. */
export function schemaProblems(source: YamlSource, errors: ErrorObject[] | null | undefined): Problem[] {
  return (errors ?? []).map((e) => {
    const path = splitPointer(e.instancePath)
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as {additionalProperty: string}).additionalProperty)
      const pos = positionAt(source, [...path, key], true)
      return {code: 'E_SCHEMA', message: `${pretty([...path, key])}: unknown key "${key}"`, ...pos}
    }

    const pos = positionAt(source, path)
    return {code: 'E_SCHEMA', message: `${pretty(path) || '(top level)'}: ${describe(e)}`, ...pos}
  })
}

/** `terminals[3].zone` from `['terminals', '3', 'zone']`. */
export function pretty(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, seg) => (/^\d+$/.test(String(seg)) ? `${out}[${seg}]` : out ? `${out}.${seg}` : String(seg)), '')
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'enum': {
      return `must be one of ${(e.params as {allowedValues: unknown[]}).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
    }

    case 'required': {
      return `missing required key "${(e.params as {missingProperty: string}).missingProperty}"`
    }

    case 'pattern': {
      return `does not have the expected form (${(e.params as {pattern: string}).pattern})`
    }

    case 'format': {
      return `is not a valid ${(e.params as {format: string}).format}`
    }

    default: {
      return e.message ?? e.keyword
    }
  }
}
