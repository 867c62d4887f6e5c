import {fullFormats} from 'ajv-formats/dist/formats.js'

import {familyOf, parseAddress, parseCidr} from './address.js'
import {isSafeText} from './text.js'
import {isOffsetTime} from './time.js'

/**
 * The string formats the JSON Schemas in `schemas/` use, by name. The validators generated at build time
 * (`scripts/schemas.mjs` → `generated/`) read them from here, so `cidr`, `ip` and `address` are checked by the same
 * parsers the rules evaluate with: whatever validates here can be evaluated there.
 */
export const FORMATS = {
  date: fullFormats.date,
  'date-time': fullFormats['date-time'],
  cidr: {type: 'string', validate: (s: string) => parseCidr(s) !== undefined},
  ip: {type: 'string', validate: (s: string) => familyOf(s) !== undefined},
  address: {type: 'string', validate: (s: string) => parseAddress(s) !== undefined},
  /** A time with its UTC offset (hand-off files). A list repeats a handful of times: each distinct text is checked once. */
  'offset-time': {type: 'string', validate: (s: string) => offsetTime(s)},
  /** Free text without control characters, bidi overrides or lone surrogates (hand-off files). */
  'safe-text': {type: 'string', validate: (s: string) => isSafeText(s)},
} as const

const times = new Map<string, boolean>()

function offsetTime(s: string): boolean {
  let ok = times.get(s)
  if (ok === undefined) {
    ok = isOffsetTime(s)
    if (times.size < 10_000) times.set(s, ok)
  }
  return ok
}
