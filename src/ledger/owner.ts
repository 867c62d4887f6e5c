import {ledgerError} from './errors.js'
import {prepare, type LedgerDb} from './store.js'

/** Whose ledger a database is, as recorded at its first use. */
export interface LedgerOwner {
  company: string
  /** When it was recorded. */
  since: string
}

/** The company this database belongs to, or undefined before its first use. */
export function ledgerOwner(db: LedgerDb): LedgerOwner | undefined {
  const row = prepare<[], {value: string; at: string}>(db, `SELECT value, at FROM meta WHERE key = 'owner'`).get()
  return row ? {company: row.value, since: row.at} : undefined
}

/**
 * Each company keeps its own ledger: the first command that acts for a company (record, import --as, recheck --as,
 * export --from) records it as the owner, and any later command acting for another company is refused, so one
 * database never holds two companies' own chains and an import without --as knows who "we" are. The row is
 * append-only (triggers), so the owner cannot be changed behind the ledger's back without `verify` seeing the guard
 * gone.
 */
export function claimOwner(db: LedgerDb, company: string, now: Date, what: string): LedgerOwner {
  const owner = ledgerOwner(db)
  if (owner && owner.company !== company)
    throw ledgerError(
      'E_DB_OWNER',
      `this ledger belongs to ${owner.company} (since ${owner.since}); ${what} is for ${company}`,
      {
        file: db.name,
        hint: `each company keeps its own database: use ${company}'s with --db`,
      },
    )
  if (owner) return owner
  prepare(db, `INSERT INTO meta (key, value, at) VALUES ('owner', ?, ?)`).run(company, now.toISOString())
  return {company, since: now.toISOString()}
}
