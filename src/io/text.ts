/**
 * Makes text from terminals and files safe to show: C0/C1 control characters, DEL and bidirectional
 * overrides become visible `\uXXXX` escapes, so a hostile value can neither move the cursor, recolour the
 * terminal, nor reorder what an auditor reads. Applied when rendering, never to stored facts.
 */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replaceAll(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)
}

/** For one-line cells: newlines and tabs are escaped too. */
export function sanitizeLine(text: string): string {
  return sanitize(text).replaceAll('\n', '\\n').replaceAll('\t', '\\t')
}
