import {createRequire} from 'node:module'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'

import type {DuckDBConnection, DuckDBInstance as Instance} from '@duckdb/node-api'

// Loaded with require, not import: the package is CommonJS of some 120 files, and an ES import of it first runs
// Node's CommonJS export scanner over every one of them (0.1 s of the review's start, twice that in CPU).
const {DuckDBDateValue, DuckDBInstance, DuckDBTimestampTZValue, DuckDBTimestampValue, StatementType} = createRequire(
  import.meta.url,
)('@duckdb/node-api') as typeof import('@duckdb/node-api')

import {ident, literal, QueryError} from './sql.js'
import {formatInstant, formatLocal} from './time.js'

/** What the rules' queries may spill to disk, all together, beyond what the load left there (see lockDown). */
const RULE_SPILL_BYTES = 2 ** 30

/** A value of a result row, converted for messages: text, number, or null. */
export type Cell = string | number | boolean | null

/** Options for the embedded engine; defaults keep a 10-million-row review under 1 GiB. */
export interface EngineOptions {
  tmpDir: string
  threads?: number
  memoryLimit?: string
  /** The policy's time zone: times in results are shown in it. */
  timezone: string
  /**
   * Whether `progress()` is asked for (a bar on a terminal). The engine then tracks every query's progress after
   * each task it runs, which cost about a tenth of the CPU of the log scan's aggregation; off, `progress()` is -1.
   */
  progress?: boolean
  /**
   * No file may be read or written from the start (see lockDown): an engine that only holds the review's tables,
   * empty, to compile a rule pack's queries against (binding a query reads files: `read_csv` sniffs its file's header).
   */
  sandboxed?: boolean
}

/**
 * DuckDB, embedded, for one review: an in-memory database whose large intermediate results spill to `tmpDir`, with
 * a memory limit so that a month of a utility's logs fits on an ordinary machine.
 */
export class LogEngine {
  /** Sessions opened for `rowsEach` before the configuration was locked (see lockDown). */
  private spare: DuckDBConnection[] = []
  private locked = false

  private constructor(
    private readonly instance: Instance,
    private readonly conn: DuckDBConnection,
    private readonly options: EngineOptions,
  ) {}

  static async open(options: EngineOptions): Promise<LogEngine> {
    const instance = await DuckDBInstance.create(':memory:', {
      // One thread per core this process may use.
      threads: String(options.threads ?? availableParallelism()),
      memory_limit: options.memoryLimit ?? '512MB',
      temp_directory: join(options.tmpDir, 'spill'),
      preserve_insertion_order: 'false',
      // Nothing may be fetched from the network: extensions are built in or absent.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      enable_external_access: options.sandboxed ? 'false' : 'true',
    })
    // A session that cannot be set up (a time zone the engine does not know) leaves no instance open behind it.
    try {
      const conn = await LogEngine.connect(instance, options)
      // Compiled as written: planned against empty tables, a branch could be pruned and a call in it not seen.
      if (options.sandboxed) await conn.run('PRAGMA disable_optimizer')
      return new LogEngine(instance, conn, options)
    } catch (error) {
      instance.closeSync()
      throw error
    }
  }

  /** A session of the instance with the review's settings (time zone, progress tracking). */
  private static async connect(instance: Instance, options: EngineOptions): Promise<DuckDBConnection> {
    const conn = await instance.connect()
    await conn.run(`SET TimeZone = ${literal(options.timezone)}`)
    if (options.progress) {
      await conn.run('SET enable_progress_bar = true')
      await conn.run('SET enable_progress_bar_print = false')
    } else await conn.run('SET enable_progress_bar = false')
    return conn
  }

  async run(sql: string, params?: Record<string, string | number>): Promise<void> {
    await this.conn.run(sql, params)
  }

  /**
   * What a query is, without running it: its kind (`SELECT`, `DROP`, `COPY`, …) and the names of its parameters
   * (`$name`). Throws when it does not compile.
   */
  async describe(sql: string): Promise<{kind: string; params: string[]}> {
    const prepared = await this.conn.prepare(sql)
    try {
      return {
        kind: StatementType[prepared.statementType] ?? String(prepared.statementType),
        params: Array.from({length: prepared.parameterCount}, (_, i) => prepared.parameterName(i + 1)),
      }
    } finally {
      prepared.destroySync()
    }
  }

  /** The table functions a query's plan calls (`RANGE`, `ENABLE_LOGGING`, …), those of `query('…')` included. */
  async tableFunctions(sql: string, params?: Record<string, string | number>): Promise<Set<string>> {
    const [{explain_value: plan}] = (
      await this.conn.runAndReadAll(`EXPLAIN (FORMAT json) ${sql}`, params)
    ).getRowObjects()
    const found = new Set<string>()
    const walk = (node: {children?: unknown[]; extra_info?: {Function?: string}}) => {
      if (node.extra_info?.Function) found.add(node.extra_info.Function)
      for (const child of node.children ?? []) walk(child as typeof node)
    }

    for (const node of JSON.parse(String(plan)) as unknown[]) walk(node as {children?: unknown[]})
    return found
  }

  /** Runs a query and converts its rows: times in the policy's zone with offset, big integers as numbers. */
  async rows(sql: string, params?: Record<string, string | number>): Promise<Record<string, Cell>[]> {
    const reader = await this.conn.runAndReadAll(sql, params)
    return this.convert(reader.getRowObjects())
  }

  /**
   * Ends the engine's access to anything but its own tables, for the rules' queries (a rule pack is input too): no
   * file can be read or written (`read_csv`, `read_text`, `COPY … TO`, `ATTACH`), and no setting changed, this one
   * included. The sessions `rowsEach` uses are opened first (a new session sets its time zone, which the lock
   * refuses). The load is over by then; nothing after it reads a file through the engine.
   */
  async lockDown(spillBytes = RULE_SPILL_BYTES): Promise<void> {
    const width = Math.max(1, this.options.threads ?? availableParallelism())
    while (this.spare.length < width - 1) this.spare.push(await LogEngine.connect(this.instance, this.options))
    // What the queries may spill to disk beyond what the load left there (the engine's own cap is 90 % of the free
    // disk: a query of a rule pack that spilled without end filled it at 170 MB/s).
    const [{used}] = await this.rows('SELECT coalesce(sum(size), 0) AS used FROM duckdb_temporary_files()')
    await this.conn.run(`SET max_temp_directory_size = '${Number(used) + spillBytes}B'`)
    await this.conn.run('SET enable_external_access = false')
    await this.conn.run('SET lock_configuration = true')
    this.locked = true
  }

  /**
   * Runs independent read-only queries (the rules' queries after the load), as many at once as the engine has
   * threads, each on a session of its own; the rows of each query, in the order given. A rule's query reads a table
   * of a few hundred thousand rows and mostly keeps one thread busy, so one after the other they left the other
   * core idle at the end of every review. A query that returns more than `maxRows` rows fails (its rows are not
   * converted), and so does one that runs longer than `timeoutMs` (it is interrupted).
   */
  async rowsEach(
    queries: readonly {sql: string; params?: Record<string, string | number>}[],
    limits: {maxRows?: number; timeoutMs?: number} = {},
  ): Promise<Record<string, Cell>[][]> {
    const {maxRows = Number.POSITIVE_INFINITY, timeoutMs} = limits
    const out: Record<string, Cell>[][] = Array.from({length: queries.length}, () => [])
    const width = Math.max(1, Math.min(this.options.threads ?? availableParallelism(), queries.length))
    const sessions = [this.conn, ...this.spare.splice(0, width - 1)]
    try {
      while (sessions.length < width && !this.locked)
        sessions.push(await LogEngine.connect(this.instance, this.options))
      let next = 0
      // A failed query stops the others from starting; every session is idle before any is closed.
      const settled = await Promise.allSettled(
        sessions.map(async (conn) => {
          while (next < queries.length) {
            const i = next++
            let late = false
            const timer =
              timeoutMs === undefined
                ? undefined
                : setTimeout(() => {
                    late = true
                    conn.interrupt()
                  }, timeoutMs)
            try {
              // Read as a stream, up to one row past the cap: a result materialized whole before it was counted took
              // 1.9 GB and 5.5 s for 30 M rows (beside the engine's memory limit), and would take ten times that for 300 M.
              const reader = await conn.streamAndReadUntil(queries[i].sql, maxRows + 1, queries[i].params)
              if (reader.currentRowCount > maxRows) throw new Error(`it returned more than the ${maxRows} rows allowed`)
              out[i] = this.convert(reader.getRowObjects())
            } catch (error) {
              next = queries.length
              throw new QueryError(
                i,
                late ? new Error(`it ran longer than ${timeoutMs! / 1000} s and was stopped`) : error,
              )
            } finally {
              clearTimeout(timer)
            }
          }
        }),
      )
      const failed = settled.find((s) => s.status === 'rejected')
      if (failed) throw failed.reason
    } finally {
      for (const conn of sessions.slice(1)) conn.closeSync()
    }

    return out
  }

  /** Progress of the running query, 0..100, or -1 when the engine cannot tell. */
  progress(): number {
    try {
      return this.conn.progress.percentage
    } catch {
      return -1
    }
  }

  /**
   * Creates a table from plain rows (typed by `columns`): the values are appended as text to a staging table, then
   * cast once per column. About twice as fast as writing them to a JSON Lines file for the engine to read, for the
   * few thousand rows of an inventory's tables.
   */
  async table(name: string, columns: Record<string, string>, rows: readonly Record<string, unknown>[]): Promise<void> {
    const keys = Object.keys(columns)
    const stage = `${name}__text`
    await this.run(`CREATE OR REPLACE TABLE ${ident(stage)} (${keys.map((k) => `${ident(k)} VARCHAR`).join(', ')})`)
    const appender = await this.conn.createAppender(stage)
    try {
      for (const row of rows) {
        for (const k of keys) {
          const v = row[k]
          if (v === null || v === undefined) appender.appendNull()
          else appender.appendVarchar(typeof v === 'object' ? JSON.stringify(v) : String(v))
        }

        appender.endRow()
      }
    } finally {
      appender.closeSync()
    }

    const cast = keys.map((k) => `CAST(${ident(k)} AS ${columns[k]}) AS ${ident(k)}`).join(', ')
    await this.run(`CREATE OR REPLACE TABLE ${ident(name)} AS SELECT ${cast} FROM ${ident(stage)}`)
    await this.run(`DROP TABLE ${ident(stage)}`)
  }

  close(): void {
    for (const conn of this.spare.splice(0)) conn.closeSync()
    this.conn.closeSync()
    this.instance.closeSync()
  }

  private convert(rows: readonly Record<string, unknown>[]): Record<string, Cell>[] {
    return rows.map((row) => {
      const out: Record<string, Cell> = {}
      for (const [k, v] of Object.entries(row)) out[k] = this.cell(v)
      return out
    })
  }

  private cell(v: unknown): Cell {
    if (v === null || v === undefined) return null
    if (typeof v === 'bigint') return Number(v)
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v
    if (v instanceof DuckDBTimestampTZValue)
      return formatInstant(new Date(Number(v.micros / 1000n)), this.options.timezone)
    // A TIMESTAMP without zone is a local time of the policy's zone (the usage table keeps them so).
    if (v instanceof DuckDBTimestampValue) return formatLocal(Number(v.micros / 1000n), this.options.timezone)
    if (v instanceof DuckDBDateValue) return v.toString()
    return String(v)
  }
}
