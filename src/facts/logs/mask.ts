import {createHmac, randomBytes} from 'node:crypto'

/**
 * Supply point ids (供給地点特定番号) identify a customer's premises: reports show them as `sp:` + the first 12 hex
 * digits of HMAC-SHA-256 under a key the operator keeps (`FLEET_AUDIT_MASK_KEY`). The same id gives the same mask
 * in every run with the same key, so findings can be followed across months and matched by the NW side, which holds
 * the key, against its own records; without the key the mask cannot be reversed by trying every possible id (a
 * plain hash of a 22-digit number with known structure could). Without a key, a random one is made for the run:
 * masks are then stable within one report only.
 */
export interface Masker {
  /** The id's mask (used only when `full` is false: the review then masks the ids in its tables). */
  mask(id: string): string
  keyed: 'operator' | 'per-run'
  full: boolean
}

export function makeMasker(key: string | undefined, full = false): Masker {
  const secret = key && key.length > 0 ? key : randomBytes(32).toString('hex')
  return {
    keyed: key ? 'operator' : 'per-run',
    full,
    mask: (id) => `sp:${createHmac('sha256', secret).update(id).digest('hex').slice(0, 12)}`,
  }
}
