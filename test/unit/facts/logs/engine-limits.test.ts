/**
 * The rules' queries run under limits a rule pack cannot lift (see LogEngine.lockDown and rowsEach): no file access,
 * a cap on what they spill to disk beyond what the load left there, a time budget per query, and a row cap. A query
 * that never ends hung the review; one that spilled without end filled the disk at 170 MB/s.
 */
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {LogEngine} from '../../../../src/facts/logs/engine.js'
import {QueryError} from '../../../../src/facts/logs/sql.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-engine-limits-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** Runs `body` on an engine holding one table, locked as the review locks it before the rules (see lockDown). */
async function withLocked(
  name: string,
  body: (engine: LogEngine) => Promise<void>,
  spillBytes?: number,
): Promise<void> {
  mkdirSync(join(tmp, name))
  const engine = await LogEngine.open({
    tmpDir: join(tmp, name),
    timezone: 'Asia/Tokyo',
    threads: 2,
    memoryLimit: '64MB',
  })
  try {
    await engine.run('CREATE TABLE t AS SELECT 1 AS a')
    await engine.lockDown(spillBytes)
    await body(engine)
  } finally {
    engine.close()
  }
}

/** How the queries failed (the test fails if they did not). */
async function failure(run: Promise<unknown>): Promise<QueryError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(QueryError)
  return error as QueryError
}

describe("the rules' queries", () => {
  it('one that runs longer than its budget is stopped, and the others are not run', () =>
    withLocked('time', async (engine) => {
      const started = Date.now()
      const endless = 'WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT max(i) FROM r'
      const error = await failure(engine.rowsEach([{sql: 'SELECT a FROM t'}, {sql: endless}], {timeoutMs: 300}))
      expect(error.index).toBe(1)
      expect(error.message).toBe('it ran longer than 0.3 s and was stopped')
      expect(Date.now() - started).toBeLessThan(20_000)
      // The engine is still usable afterwards.
      expect(await engine.rowsEach([{sql: 'SELECT a FROM t'}], {timeoutMs: 5000})).toEqual([[{a: 1}]])
    }))

  it('one that spills more than the budget to disk fails', () =>
    withLocked(
      'spill',
      async (engine) => {
        const sql = 'SELECT count(*) AS n FROM (SELECT DISTINCT i FROM range(200000000) t(i))'
        const error = await failure(engine.rowsEach([{sql}]))
        // Stopped at the cap (the engine's words: it could not write more to disk), not by running out of memory.
        expect(error.message).toMatch(/failed to offload data block .*\/32\.0 MiB used/)
      },
      32 * 2 ** 20,
    ))

  it('one that returns more rows than allowed fails', () =>
    withLocked('rows', async (engine) => {
      const error = await failure(engine.rowsEach([{sql: 'SELECT i FROM range(11) t(i)'}], {maxRows: 10}))
      expect(error.message).toBe('it returned more than the 10 rows allowed')
    }))

  it('one that returns many more rows than allowed is stopped near the cap, not read whole first', () =>
    withLocked('rows-stream', async (engine) => {
      // A row far past the cap fails if it is ever made: read whole, the result took gigabytes before it was counted.
      const sql = `SELECT CASE WHEN i < 5000000 THEN i ELSE error('read far past the cap') END AS i FROM range(10000000) t(i)`
      const error = await failure(engine.rowsEach([{sql}], {maxRows: 10}))
      expect(error.message).toBe('it returned more than the 10 rows allowed')
    }))

  it('may not read a file, nor lift the lock', () =>
    withLocked('files', async (engine) => {
      for (const sql of [`SELECT * FROM read_text('/etc/hostname')`, `SELECT * FROM glob('/etc/*')`])
        expect((await failure(engine.rowsEach([{sql}]))).message, sql).toMatch(/disabled by configuration/)

      await expect(engine.run('SET enable_external_access = true')).rejects.toThrow(
        /locked|Cannot enable external access/,
      )
      await expect(engine.run("SET max_temp_directory_size = '1TB'")).rejects.toThrow(/locked/)
    }))
})
