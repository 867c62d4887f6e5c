/** A SQL string literal. */
export function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

/** A SQL identifier (column names from a mapping may be Japanese, spaced or odd). */
export function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`
}
