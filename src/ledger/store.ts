import {mkdirSync, statSync} from 'node:fs'
import {dirname} from 'node:path'
import Database from 'better-sqlite3'

import {ledgerError} from './errors.js'
import {APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, type Migration} from './migrations/index.js'

/** An open ledger database (better-sqlite3). */
export type LedgerDb = Database.Database

/** How long a writer waits for another process's write lock before giving up (ms). */
export const BUSY_TIMEOUT_MS = 5000

/** The page cache of an open ledger, in KiB (negative: SQLite's unit for a size): SQLite's own default, 2 MiB. */
export const CACHE_SIZE = -2000

/** The page size of a new ledger file, in bytes. */
export const PAGE_SIZE = 16384

/** Options for {@link openLedger}. */
export interface OpenOptions {
  /** Open without migrating or writing (verify, list, history). The file must exist and be a ledger. */
  readonly?: boolean
  /** Refuse to create the file (commands that have nothing to do on a new ledger, e.g. export). */
  mustExist?: boolean
  /** Stop at this schema version (tests of a single migration). */
  targetVersion?: number
}

/**
 * Opens (creating and migrating if needed) the ledger at `path`. WAL lets readers run beside one writer;
 * `synchronous = FULL` because an acknowledged ledger entry must survive a power cut, not just a crash.
 */
export function openLedger(path: string, options: OpenOptions = {}): LedgerDb {
  const mustExist = (options.readonly ?? false) || (options.mustExist ?? false)
  if (mustExist) checkExisting(path)
  else if (path !== ':memory:') mkdirSync(dirname(path), {recursive: true})
  let db: LedgerDb
  try {
    db = new Database(path, {readonly: options.readonly ?? false, fileMustExist: mustExist})
  } catch (error) {
    throw ledgerError('E_DB_OPEN', `cannot open ledger database: ${(error as Error).message}`, {file: path})
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    // Without this SQLite ignores REFERENCES clauses: an ack could then name an event that is not there.
    db.pragma('foreign_keys = ON')
    // A small page cache: a whole-table read (export, verify) gains nothing from a larger one, and every page of it
    // is fresh memory to fault in. A bulk insert raises it for its own batch (rows.ts).
    db.pragma(`cache_size = ${CACHE_SIZE}`)
    if (!options.readonly) {
      // Takes effect only on a new, empty file (an existing ledger keeps its page size): 16 KiB pages hold ~30
      // events each, so a bulk import splits and writes (and fsyncs) fewer pages than at SQLite's default of 4 KiB.
      db.pragma(`page_size = ${PAGE_SIZE}`)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = FULL')
    }
    checkIdentity(db, path)
    if (mustExist && schemaVersion(db) === 0)
      throw ledgerError('E_DB_FOREIGN', 'not a fleet-audit ledger (an SQLite file with no ledger in it)', {file: path})
    if (options.readonly) {
      const version = schemaVersion(db)
      if (version < SCHEMA_VERSION)
        throw ledgerError(
          'E_DB_OLD',
          `ledger database is at schema version ${version}, this fleet-audit needs ${SCHEMA_VERSION}`,
          {
            file: path,
            hint: 'any ledger command that writes (record, import, export, recheck) migrates it first; verify, list and history only read',
          },
        )
    } else migrate(db, options.targetVersion ?? SCHEMA_VERSION, path)
    return db
  } catch (error) {
    db.close()
    throw asLedgerError(error, path)
  }
}

/**
 * A read-only command never creates what is not there: the file must exist, be a regular file (never a FIFO or a
 * device, which SQLite would block on or misread) and not be empty.
 */
function checkExisting(path: string): void {
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) throw ledgerError('E_DB_OPEN', 'not a ledger database: not a regular file', {file: path})
    size = st.size
  } catch (error) {
    if (error instanceof Error && 'problems' in error) throw error
    const code = (error as NodeJS.ErrnoException).code
    throw ledgerError(
      'E_DB_MISSING',
      code === 'ENOENT'
        ? 'no ledger database here (check --db / FLEET_AUDIT_DB)'
        : `cannot open ledger database: ${code}`,
      {file: path},
    )
  }
  if (size === 0) throw ledgerError('E_DB_FOREIGN', 'not a fleet-audit ledger (an empty file)', {file: path})
}

/** SQLite codes that mean the file itself is not a sound database. */
const DAMAGE = /^SQLITE_(CORRUPT|NOTADB|IOERR|CANTOPEN|FORMAT|RANGE)/

/**
 * A damaged or foreign file surfaces as an SqliteError wherever SQLite first reads the bad page: turn it into an
 * input error naming the file (exit 2), never an internal error. Anything else is passed through.
 */
export function asLedgerError(error: unknown, path: string): unknown {
  const code = (error as {code?: unknown}).code
  if (error instanceof Database.SqliteError && typeof code === 'string' && DAMAGE.test(code))
    return ledgerError(
      'E_DB_DAMAGED',
      `the ledger database is damaged (truncated or corrupted): ${error.message} (${code})`,
      {
        file: path,
        hint: 'restore it from a backup; `ledger verify` on the copy you restore',
      },
    )
  return error
}

/** The schema version (`PRAGMA user_version`) of an open database. */
export function schemaVersion(db: LedgerDb): number {
  return db.pragma('user_version', {simple: true}) as number
}

function checkIdentity(db: LedgerDb, path: string): void {
  const appId = db.pragma('application_id', {simple: true}) as number
  if (appId !== 0 && appId !== APPLICATION_ID)
    throw ledgerError('E_DB_FOREIGN', `not a fleet-audit ledger (application_id ${appId})`, {file: path})
  const version = schemaVersion(db)
  if (version > SCHEMA_VERSION)
    throw ledgerError(
      'E_DB_NEWER',
      `ledger database is at schema version ${version}, newer than this fleet-audit understands (${SCHEMA_VERSION})`,
      {file: path, hint: 'upgrade fleet-audit; an older version must not write to a newer ledger'},
    )
  if (appId === 0 && version > 0)
    throw ledgerError('E_DB_FOREIGN', `not a fleet-audit ledger (user_version ${version}, no application_id)`, {
      file: path,
    })
  if (appId === 0 && version === 0) {
    const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema`).get() as {n: number}
    if (tables.n > 0)
      throw ledgerError('E_DB_FOREIGN', 'not a fleet-audit ledger (an unrelated SQLite database)', {file: path})
  }
}

/**
 * Runs each pending migration in its own transaction together with its `user_version` bump, so a crash leaves the
 * database at one version or the next, never between. IMMEDIATE, so two processes opening a fresh file serialize.
 */
export function migrate(
  db: LedgerDb,
  target: number = SCHEMA_VERSION,
  path = db.name,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  for (const m of migrations) {
    if (m.version > target) break
    const step = db.transaction(() => {
      const current = schemaVersion(db)
      if (current >= m.version) return
      if (current !== m.version - 1)
        throw ledgerError(
          'E_DB_MIGRATION',
          `cannot apply migration ${m.version}-${m.name} to schema version ${current}`,
          {file: path},
        )
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    })
    step.immediate()
  }
}

const cache = new WeakMap<LedgerDb, Map<string, Database.Statement>>()

/** A prepared statement, compiled once per database connection. Use named parameters (`@id`). */
export function prepare<P extends unknown[] | object = unknown[], R = unknown>(
  db: LedgerDb,
  sql: string,
): Database.Statement<P, R> {
  let statements = cache.get(db)
  if (!statements) cache.set(db, (statements = new Map()))
  let statement = statements.get(sql)
  if (!statement) statements.set(sql, (statement = db.prepare(sql)))
  return statement as unknown as Database.Statement<P, R>
}
