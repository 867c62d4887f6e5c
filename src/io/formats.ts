import {fullFormats} from 'ajv-formats/dist/formats.js'

import {familyOf, parseAddress, parseCidr} from './address.js'

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
} as const
