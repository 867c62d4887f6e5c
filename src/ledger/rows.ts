import Database from 'better-sqlite3'

import {
  ACK_FIELDS as ACKS,
  EVENT_FIELDS as EVENTS,
  ROW_ONLY_FIELDS as ROW_ONLY,
  isJsonField,
  type Field,
} from '../model/ledger-fields.js'
import {compileFields, fieldNames} from './derive.js'
import {CACHE_SIZE, prepare, type LedgerDb} from './store.js'
import type {LedgerAck, LedgerEvent} from '../model/ledger.js'

const EVENT_FIELDS: readonly Field[] = EVENTS
const ACK_FIELDS: readonly Field[] = ACKS
const ROW_ONLY_FIELDS: readonly Field[] = ROW_ONLY

// Everything here is derived from the field tables in src/model/ledger-fields.ts: the column lists, the statements
// and the conversions between rows and records. A row is the record's fields in table order, then `imported_at`.

/** The event columns in record order (for `raw` reads). */
export const EVENT_RECORD_COLUMNS = fieldNames(EVENT_FIELDS).join(', ')
/** Every column of `events`: the record's, then the bookkeeping ones. */
const EVENT_COLUMNS = fieldNames([...EVENT_FIELDS, ...ROW_ONLY_FIELDS])
/** The ack columns in record order. */
export const ACK_RECORD_COLUMNS = fieldNames(ACK_FIELDS).join(', ')
/** Every column of `acks`. */
const ACK_COLUMNS = fieldNames([...ACK_FIELDS, ...ROW_ONLY_FIELDS])

/** A row read with `raw(true)`: the record's columns in table order, then `imported_at`. */
export type RawRow = unknown[]

const fromRaw = (value: (name: string, i: number) => string) => (names: string[]) =>
  `return {${names.map((n, i) => `${n}: ${value(n, i)}`).join(', ')}}`
const jsonAt = (fields: readonly Field[]) => (name: string, i: number) =>
  isJsonField(fields.find((f) => f.name === name)!) ? `JSON.parse(r[${i}])` : `r[${i}]`
const jsonNamed = (fields: readonly Field[]) => (name: string) =>
  isJsonField(fields.find((f) => f.name === name)!) ? `JSON.parse(r.${name})` : `r.${name}`

/** The event of a raw row (columns as {@link EVENT_RECORD_COLUMNS}), fields in record order. */
export const eventFromRaw = compileFields<(r: RawRow) => LedgerEvent>(
  ['r'],
  EVENT_FIELDS,
  fromRaw(jsonAt(EVENT_FIELDS)),
)
/** The event of a row read by name (`SELECT e.*`), fields in record order. */
export const eventFromRow = compileFields<(r: Record<string, unknown>) => LedgerEvent>(
  ['r'],
  EVENT_FIELDS,
  fromRaw(jsonNamed(EVENT_FIELDS)),
)
/** The ack of a raw row (columns as {@link ACK_RECORD_COLUMNS}). */
export const ackFromRaw = compileFields<(r: RawRow) => LedgerAck>(['r'], ACK_FIELDS, fromRaw(jsonAt(ACK_FIELDS)))

/** Writes a record's column values into `v` from index `i` on (JSON fields as text); returns the next index. */
const toValues = (fields: readonly Field[]) =>
  compileFields<(e: object, v: unknown[], i: number) => number>(
    ['e', 'v', 'i'],
    fields,
    (names) =>
      names
        .map((n) => `v[i++] = ${isJsonField(fields.find((f) => f.name === n)!) ? `JSON.stringify(e.${n})` : `e.${n}`};`)
        .join('\n') + '\nreturn i',
  )
const eventToValues = toValues(EVENT_FIELDS) as (e: LedgerEvent, v: unknown[], i: number) => number
const ackToValues = toValues(ACK_FIELDS) as (a: LedgerAck, v: unknown[], i: number) => number

const insertSql = (table: string, columns: readonly string[], rows: number): string => {
  const one = '(' + columns.map(() => '?').join(', ') + ')'
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({length: rows}, () => one).join(', ')}`
}

/** Appends acks (with their `imported_at`) in the caller's transaction. */
export function insertAck(db: LedgerDb, ack: LedgerAck, importedAt: string | null): void {
  const values: unknown[] = new Array(ACK_COLUMNS.length)
  values[ackToValues(ack, values, 0)] = importedAt
  prepare<unknown[]>(db, insertSql('acks', ACK_COLUMNS, 1)).run(values)
}

const EVENT_COLUMN_COUNT = EVENT_COLUMNS.length
/** Rows per multi-row INSERT: 64 × 22 = 1,408 parameters, well under SQLite's limit of 32,766. */
const EVENTS_PER_STATEMENT = 64
const INSERT_ONE = insertSql('events', EVENT_COLUMNS, 1)
const INSERT_MANY = insertSql('events', EVENT_COLUMNS, EVENTS_PER_STATEMENT)

/**
 * The page cache of a bulk batch, in KiB (negative: SQLite's unit for a size rather than a page count). 8 MiB holds
 * both indexes of 100,000 events (about 5 MB) and the table's right edge; 32 MiB cost 0.1-0.2 s more of first-touch
 * page faults per 100,000 events, with the same CPU time otherwise, in seq order and in a shuffled terminal order.
 */
const BULK_CACHE_SIZE = -8192

/** From this many events on, {@link EventInserter} checks the chain once for the batch instead of row by row. */
export const BULK_CHAIN_CHECK_MIN = 1000

/** The events_chain trigger's condition, for every row of an issuer's seq range at once. */
const CHAIN_BROKEN = `
  SELECT e.seq FROM events e WHERE e.issuer = ? AND e.seq BETWEEN ? AND ?
    AND NOT CASE WHEN e.seq = 1 THEN e.prev_hash IS NULL
      ELSE EXISTS (SELECT 1 FROM events p WHERE p.issuer = e.issuer AND p.seq = e.seq - 1 AND p.hash = e.prev_hash) END
  LIMIT 1`

/**
 * Appends events to the `events` table in the order given, through the table's constraints: positional parameters
 * (binding 22 named ones per row cost a quarter of the insert) and 64 rows per statement.
 * `add` only queues; `flush` writes what is queued (call it before reading the table again); `finish` writes the
 * rest and must be called before the caller's transaction ends. Any failure throws inside the caller's transaction,
 * so the whole batch rolls back.
 *
 * A bulk batch (`expected` >= {@link BULK_CHAIN_CHECK_MIN}) runs the `events_chain` trigger's check once over the
 * batch instead of once per row (a trigger program per row was a fifth of a bulk insert): the first `add` drops the
 * trigger inside the caller's write transaction and `finish` checks every inserted row with the trigger's own
 * condition, then re-creates the trigger from its stored SQL, still in that transaction. The write lock is held
 * throughout and a failure or crash rolls the drop back with the rows, so every committed state has the trigger,
 * and every other writer (another process, the sqlite3 tool) still meets it on every row.
 */
export class EventInserter {
  private readonly many
  private readonly one
  private readonly values: unknown[] = new Array(EVENT_COLUMN_COUNT * EVENTS_PER_STATEMENT)
  private queued = 0
  private readonly bulk: boolean
  /** The trigger's CREATE statement while it is dropped for this batch; null when it was not there to drop. */
  private triggerSql: string | null | undefined
  /** Seq range written per issuer, for the batch check. */
  private readonly ranges = new Map<string, [number, number]>()

  constructor(
    private readonly db: LedgerDb,
    private readonly importedAt: string | null,
    expected: number,
  ) {
    this.many = prepare<unknown[]>(db, INSERT_MANY)
    this.one = prepare<unknown[]>(db, INSERT_ONE)
    this.bulk = expected >= BULK_CHAIN_CHECK_MIN
  }

  /** Queues one event. */
  add(e: LedgerEvent): void {
    if (this.bulk) {
      if (this.triggerSql === undefined) this.dropChainTrigger()
      const range = this.ranges.get(e.issuer)
      if (!range) this.ranges.set(e.issuer, [e.seq, e.seq])
      else {
        if (e.seq < range[0]) range[0] = e.seq
        if (e.seq > range[1]) range[1] = e.seq
      }
    }
    const v = this.values
    v[eventToValues(e, v, this.queued * EVENT_COLUMN_COUNT)] = this.importedAt
    if (++this.queued === EVENTS_PER_STATEMENT) {
      this.queued = 0
      this.many.run(v)
    }
  }

  /** Writes the queued events, one statement each. */
  flush(): void {
    const v = this.values
    for (let r = 0; r < this.queued; r++) this.one.run(v.slice(r * EVENT_COLUMN_COUNT, (r + 1) * EVENT_COLUMN_COUNT))
    this.queued = 0
  }

  /** Writes the rest; for a bulk batch, checks the chain of every row written and puts the trigger back. */
  finish(): void {
    this.flush()
    if (this.triggerSql === undefined) return
    const broken = prepare<[string, number, number], {seq: number}>(this.db, CHAIN_BROKEN)
    for (const [issuer, [first, last]] of this.ranges)
      if (broken.get(issuer, first, last))
        throw new Database.SqliteError(
          'events must extend their chain: next seq, previous hash',
          'SQLITE_CONSTRAINT_TRIGGER',
        )
    if (this.triggerSql !== null) this.db.exec(this.triggerSql)
    this.triggerSql = undefined
    this.restoreCache()
  }

  /** The page cache size before a bulk batch raised it (undefined: not raised). */
  private cacheBefore: number | undefined

  /**
   * A bulk batch writes three B-trees at once (the table, its key and the terminal index): with the default 2 MiB
   * cache, index pages are spilled and read back again and again. 8 MiB holds them for this batch only; reads of a
   * whole table (export, verify) stay on the small default cache, whose pages are reused rather than fresh memory.
   * A cache size the caller set itself is left alone; a failed batch leaves the larger cache on its connection
   * (harmless: only memory).
   */
  private raiseCache(): void {
    if (this.cacheBefore !== undefined) return
    const current = this.db.pragma('cache_size', {simple: true}) as number
    if (current !== CACHE_SIZE) return
    this.cacheBefore = current
    this.db.pragma(`cache_size = ${BULK_CACHE_SIZE}`)
  }

  private restoreCache(): void {
    if (this.cacheBefore === undefined) return
    this.db.pragma(`cache_size = ${this.cacheBefore}`)
    this.cacheBefore = undefined
  }

  private dropChainTrigger(): void {
    if (!this.db.inTransaction) throw new Error('EventInserter: a bulk insert must run inside a transaction')
    this.raiseCache()
    const row = prepare<[], {sql: string}>(
      this.db,
      `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'events_chain' AND tbl_name = 'events'`,
    ).get()
    this.triggerSql = row?.sql ?? null
    if (row) this.db.exec('DROP TRIGGER events_chain')
  }
}
