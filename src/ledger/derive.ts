import type {Field} from '../model/ledger-fields.js'

const NAME = /^[a-z][a-z_]*$/

/**
 * Compiles a function whose body is written out field by field from a field table, e.g. `(r) => ({issuer: r[0],
 * seq: r[1], ...})`. These run 100,000 times per bulk operation: an object literal with one fixed shape is several
 * times faster than setting keys in a loop, and generating it keeps the table the only list of fields.
 * Only field names of the model's tables go into the source (checked), never input.
 */
export function compileFields<F extends (...args: never[]) => unknown>(
  params: readonly string[],
  fields: readonly Field[],
  body: (names: string[]) => string,
): F {
  const names = fields.map((f) => {
    if (!NAME.test(f.name)) throw new Error(`internal error: field name ${JSON.stringify(f.name)}`)
    return f.name
  })

  return new Function(...params, body(names)) as F
}

/** The names of a table's fields. */
export const fieldNames = (fields: readonly Field[]): string[] => fields.map((f) => f.name)
