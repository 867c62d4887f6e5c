/**
 * Attack (attack7): a row the engine reads but cannot use because a mapped field is empty (no terminal, no user) is
 * located by a second pass that looks for "the first data line with an empty field where the value would be". That
 * pass matched any empty field: the example's export leaves 契約名義 and 電話番号 empty on many rows, so an empty
 * terminal on line 5001 and an empty user on line 6001 were both shown as `file:6`, a good line. Now the empty field
 * is looked for in the mapped columns a row cannot do without, and up to five such lines are shown (they share one
 * needle, and only the first used to be). A row found by its raw time (a time the reader did not type) must also have
 * the empty field, or a good row logged in the same second was shown in its place; a JSON line is found by its start.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {analyzeLogLines, exampleDayLines, isoTime} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-attack7-empty-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

describe('a row with an empty terminal or user', () => {
  it('is shown at its own line', async () => {
    const [header, ...rows] = exampleDayLines()
    const lines = [header]
    for (let k = 0; k < 30; k++) lines.push(...rows)
    // Good rows with empty (unmapped) fields come early in the file.
    expect(lines.slice(1, 10).some((l) => l.includes(',,'))).toBe(true)
    for (const [at, col] of [
      [5000, 1],
      [6000, 3],
    ]) {
      const cols = lines[at].split(',')
      cols[col] = ''
      lines[at] = cols.join(',')
    }

    const {stderr, file, unparseable, first} = await analyzeLogLines(tmp, 'empty.csv', lines)
    expect(stderr).toBe('')
    expect(unparseable).toBe(2)
    // Was: [empty.csv:6], a good line; then only the first of the two.
    expect(first).toEqual([`${file}:5001`, `${file}:6001`])
  })

  it('logged in the same second as a good row is shown at its own line (times parsed as text)', async () => {
    const [header, ...rows] = exampleDayLines()
    // ISO times with an offset: the review reads them as text and finds a bad row by its raw time.
    const lines = [header, ...Array.from({length: 10}, () => rows.map(isoTime)).flat()]
    // Lines 2001 and 2501 repeat the time of the good line before them, with the terminal (then the user) left empty.
    for (const [at, col] of [
      [2000, 1],
      [2500, 3],
    ]) {
      const cols = lines[at - 1].split(',')
      cols[col] = ''
      lines[at] = cols.join(',')
    }

    const {stderr, file, unparseable, first} = await analyzeLogLines(tmp, 'same-second.csv', lines, (m) =>
      m.replace('"%Y/%m/%d %H:%M:%S"', 'iso8601'),
    )
    expect(stderr).toBe('')
    expect(unparseable).toBe(2)
    // Was: lines 2000 and 2500, the good rows with the same time.
    expect(first).toEqual([`${file}:2001`, `${file}:2501`])
  })

  it('in a JSON Lines file is shown at its own line, not at a good line of the same second', async () => {
    const [header, ...rows] = exampleDayLines()
    const names = header.split(',')
    const json = Array.from({length: 6}, () => rows)
      .flat()
      .map((line) => {
        const cols = line.split(',')
        return Object.fromEntries(names.map((n, i) => [n, cols[i]]))
      })
    json.splice(1500, 0, {...json[1499], 端末ID: ''})
    const jsonLines = json.map((o) => JSON.stringify(o))
    const {stderr, file, unparseable, first} = await analyzeLogLines(tmp, 'empty.jsonl', jsonLines, (m) =>
      m.replace('format: csv', 'format: jsonl'),
    )
    expect(stderr).toBe('')
    expect(unparseable).toBe(1)
    // Was: line 1500, the good line whose time it repeats.
    expect(first).toEqual([`${file}:1501`])
  })
})
