/**
 * Attack (attack7): one stray double quote at the start of a field, in a valid UTF-8 file that the engine reads
 * itself (nothing emptied, so nothing is counted against the file's lines). The engine reads everything after the
 * quote as one quoted field: up to the end of the file, or about 2 MiB of lines (its longest line) in a larger file,
 * and it rejects one line for it. The review then says "1 unparseable line" while hundreds or ~16,700 lines were
 * never reviewed: a log line whose free text (a search term, a name) starts with `"` hides the lines after it.
 * Also, in the larger file the one line shown is the line before the bad one: the engine's byte offset for this
 * reject points into the previous line (its own line number, 501, was right).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {analyzeLogs, exampleDayLines, exampleLogMapping} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-attack7-quote-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** The day's rows `times` times (LF lines), with a `"` opening the 契約名義 field of line 501. */
function withQuote(times: number): {text: string; records: number} {
  const [header, ...rows] = exampleDayLines()
  const lines = [header]
  for (let k = 0; k < times; k++) lines.push(...rows)
  const cols = lines[500].split(',')
  cols[6] = `"${cols[6]}`
  lines[500] = cols.join(',')
  return {text: lines.join('\n') + '\n', records: lines.length - 1}
}

async function review(file: string, name: string) {
  const mapping = exampleLogMapping(join(tmp, `${name}.yaml`), file, 'utf-8')
  const r = await analyzeLogs(mapping, '2026-10-15', '2026-10-15', {timeout: 120_000})
  expect(r.stderr).toBe('')
  expect(r.code).toBe(1)
  return JSON.parse(r.stdout).logs.files[0] as {rows: number; unparseable: number; first_unparseable: string[]}
}

describe('a stray quote in a file the engine reads itself', () => {
  it('loses no line without a word (1,047 lines: the rest of the file)', async () => {
    const {text, records} = withQuote(3)
    const file = join(tmp, 'small.csv')
    writeFileSync(file, text)
    const logs = await review(file, 'small')
    // Every line is a row reviewed or an unparseable line counted (was: rows 500, unparseable 1).
    expect(logs.rows).toBe(records)
    expect(logs.unparseable).toBeGreaterThanOrEqual(records - 499)
  })

  it('loses no line without a word and shows the bad line (104,700 lines: about 2 MiB of lines after it)', async () => {
    const {text, records} = withQuote(300)
    const file = join(tmp, 'large.csv')
    writeFileSync(file, text)
    const logs = await review(file, 'large')
    // Was: first_unparseable [large.csv:500] (the good line before), rows 87,997 of 104,700, unparseable 1.
    expect(logs.first_unparseable[0]).toBe(`${file}:501`)
    expect(logs.rows).toBe(records)
    expect(logs.unparseable).toBeGreaterThan(16_000)
  })
})
