/**
 * When the rules' queries start, the reader's rejects are gone: they hold each rejected line whole (`csv_line`, with
 * customers' names and phone numbers), and a rule pack's query could show them. (The samples that located unusable
 * JSON lines are cleared too: see test/commands/logs-rule-queries.test.ts.)
 */
import {appendFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it, vi} from 'vitest'

import {LogEngine} from '../../../../src/facts/logs/engine.js'
import {baseLogInventory, cleanup, review, writeScenario} from '../../facts/logs/scenario.js'

afterAll(cleanup)

describe('the tables the rules read', () => {
  it('hold no rejected line', async () => {
    const s = await writeScenario(baseLogInventory())
    const [file] = readdirSync(s.logs)
    // A line with a column too many (a reject of the reader), and one whose time does not parse.
    appendFileSync(join(s.logs, file), '2026/03/30 10:00:00,T-NW,NW,N1,照会,,山田太郎 090-1111-2222,1,extra\n')
    appendFileSync(join(s.logs, file), '山田花子 090-3333-4444,T-NW,NW,N1,照会,,,1\n')
    const seen: Record<string, unknown>[][] = []
    const lockDown = LogEngine.prototype.lockDown
    const spy = vi.spyOn(LogEngine.prototype, 'lockDown').mockImplementation(async function (this: LogEngine, ...args) {
      seen.push(await this.rows(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'rejects%'`))
      return lockDown.apply(this, args)
    })
    try {
      const result = await review(s)
      // Both lines were counted as unparseable, so both were there to be found.
      expect(result.logs!.unparseable).toBe(2)
    } finally {
      spy.mockRestore()
    }

    expect(seen).toEqual([[]])
  })
})
