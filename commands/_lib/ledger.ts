import {existsSync} from 'node:fs'

import {Flags} from '@oclif/core'

import {defaultInventory, fromConfig} from './base.js'

/**
 * The inventory of the read-only ledger commands: optional (they read the database), used for the policy's time
 * zone, the companies' sides and their public keys. Flag > environment > config file > ./inventory if it exists.
 */
export const readInventoryFlag = Flags.string({
  char: 'i',
  summary: 'Inventory: the policy time zone for times shown, the companies and their public keys.',
  env: 'FLEET_AUDIT_INVENTORY',
  noCacheDefault: true,
  default: fromConfig<string>('inventory', () => undefined),
  helpGroup: 'INPUT',
})

/** The inventory given, or ./inventory (./inventory.yaml) when it exists, else none. */
export function inventoryIfAny(given: string | undefined): string | undefined {
  if (given !== undefined) return given
  const found = defaultInventory()
  return existsSync(found) ? found : undefined
}

/** One row of a plain table: columns padded to the widths given (the last column is not padded). */
export function row(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd()
}

/** Column widths that fit every row. */
export function widths(rows: string[][]): number[] {
  const w: number[] = []
  for (const r of rows) r.forEach((c, i) => (w[i] = Math.max(w[i] ?? 0, c.length)))
  return w
}
