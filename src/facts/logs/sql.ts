/** A SQL string literal. */
export function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

/** A SQL identifier (column names from a mapping may be Japanese, spaced or odd). */
export function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`
}

/** A query of `rowsEach` that failed: which one (its index in the list), and the engine's first line on why. */
export class QueryError extends Error {
  constructor(
    readonly index: number,
    cause: unknown,
  ) {
    super((cause as Error).message.split('\n')[0], {cause})
  }
}
