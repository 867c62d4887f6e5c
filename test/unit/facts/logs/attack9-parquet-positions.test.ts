/**
 * Attack (attack9): a Parquet file has no lines, but a row the engine read and could not use (a record count that is
 * not a number) was "located" by searching the file's bytes as text for the row's raw time, and shown as
 * `file.parquet:N`, where N counted newline bytes in the binary file: a position that points at nothing. A Parquet
 * file's unusable rows are shown as the file.
 */
import {afterAll, describe, expect, it} from 'vitest'

import {baseLogInventory, cleanup, mapping, review, runEngine, writeScenario} from './scenario.js'

afterAll(cleanup)

describe('an unusable row in a Parquet file', () => {
  it('is counted and shown as the file, never at a line of the binary file', async () => {
    const s = await writeScenario(baseLogInventory(), {
      mapping: mapping({format: 'parquet', files: ['logs/all.parquet']}),
    })
    // Uncompressed, with a newline byte before every value, so the raw time is in the file's bytes after some
    // newline bytes, as text.
    await runEngine(
      `COPY (SELECT * FROM (
         SELECT * FROM read_csv('${s.logs}/*.csv', header = true, all_varchar = true)
         UNION ALL SELECT '2026-03-30 10:00:00', 'T-NW', 'NW', 'N1', '照会', '', '', '', '', 'many'
       ) ORDER BY 1) TO '${s.logs}/all.parquet' (FORMAT parquet, COMPRESSION uncompressed)`,
    )
    const result = await review(s)
    const file = result.logs!.files.find((f) => f.file.endsWith('all.parquet'))!
    expect(file.unparseable).toBe(1)
    expect(file.first_unparseable).toEqual([file.file])
  })
})
