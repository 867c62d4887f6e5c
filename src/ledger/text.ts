// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Free text a ledger record may carry (notes, delegations, serials): no control characters or bidi overrides, which
 * would reach the other company's terminal, and no lone surrogates, which SQLite silently replaces with U+FFFD so
 * that the stored record no longer matches its hash.
 */
export function isSafeText(v: unknown, max = 4096): v is string {
  return typeof v === 'string' && v.length <= max && !UNSAFE.test(v) && !LONE_SURROGATE.test(v)
}
