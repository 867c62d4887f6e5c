import {loadDeclared} from './declared.js'
import {asLedgerError, type LedgerDb, openLedger, type OpenOptions} from '../ledger/store.js'
import type {Inventory} from '../model/types.js'

// Kept apart from ./ledger.js so that the read-only ledger commands load the store and the
// inventory reader only, not the rules and the audit behind re-check.

/**
 * Opens the ledger, runs `fn` and always closes it: writes are synchronous transactions inside `fn`. Read-only
 * commands pass `{readonly: true}`: the file must then exist and be a ledger, and is never created or migrated. A
 * damaged file is an input error naming it, wherever SQLite first trips over it.
 */
export async function withLedger<T>(
  path: string,
  fn: (db: LedgerDb) => T | Promise<T>,
  options: OpenOptions = {},
): Promise<T> {
  const db = openLedger(path, options)
  try {
    return await fn(db)
  } catch (error) {
    throw asLedgerError(error, path)
  } finally {
    db.close()
  }
}

/** What the read-only ledger commands take from the inventory: the policy's time zone and the companies. */
export interface LedgerReadContext {
  inventory?: Inventory
  /** The policy's time zone (Asia/Tokyo, the policy default, when no inventory is found). */
  timezone: string
}

/** Loads the inventory when one is given or found; read-only commands can work without it. */
export async function ledgerReadContext(inventoryPath: string | undefined): Promise<LedgerReadContext> {
  if (inventoryPath === undefined) return {timezone: 'Asia/Tokyo'}
  const inventory = await loadDeclared(inventoryPath)
  return {inventory, timezone: inventory.policy.timezone}
}
