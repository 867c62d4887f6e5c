import type {ErrorObject, ValidateFunction} from 'ajv'

import type {Problem} from '../model/errors.js'
import {VALIDATORS} from './generated/index.js'
import {positionAt, splitPointer, type YamlSource} from './yaml.js'

/**
 * The validator of one of the JSON Schemas kept in `schemas/`. They are compiled at build time into standalone code
 * (`scripts/schemas.mjs`, run by `npm run build`), so no command pays for compiling them at start-up.
 */
export function schemaValidator(name: string): ValidateFunction {
  const validate = (VALIDATORS as Record<string, unknown>)[name]
  if (!validate) throw new Error(`no validator generated for schemas/${name}: run npm run build`)
  return validate as ValidateFunction
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
  return path.reduce<string>(
    (out, seg) => (/^\d+$/.test(String(seg)) ? `${out}[${seg}]` : out ? `${out}.${seg}` : String(seg)),
    '',
  )
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
