/**
 * Attack (attack8) on how rows the engine read but could not use are located (`locate` in review.ts, `locateLines` in
 * locate.ts): an empty time was no longer looked for (only the file was shown); a line emptied in a cleaned copy (a
 * bare CR) was taken for a row with an empty field; the five samples looked for were the first five in text order, not
 * the first rows in the file; and a JSON line that is not JSON, or has an empty terminal, was shown at the first good
 * line that starts with the same 200 characters. And a row unusable for its record count (negative) was shown at a good
 * row logged in the same second, or, when the reader typed the time, not at all (the file alone).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {analyzeLogLines, exampleDayLines, isoTime} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-attack8-positions-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** The example's day, `copies` times over, with `edit` applied to its lines (the header first), reviewed. */
async function review(
  name: string,
  edit: (lines: string[]) => void,
  options: {copies?: number; mapping?: (text: string) => string; jsonl?: boolean} = {},
) {
  const [header, ...rows] = exampleDayLines()
  const lines = [header, ...Array.from({length: options.copies ?? 1}, () => rows).flat()]
  edit(lines)
  const r = await analyzeLogLines(tmp, name, options.jsonl ? toJsonLines(lines) : lines, options.mapping)
  expect(r.stderr).toBe('')
  return r
}

/**
 * CSV lines (the header first) as JSON lines, each starting with a padding key of 210 characters: every line's first
 * 200 characters (what an unusable JSON line is looked for by) are the same. A line starting with `!` is left as it
 * is (without the `!`).
 */
function toJsonLines([header, ...rows]: string[]): string[] {
  const names = header.split(',')
  return rows.map((row) => {
    if (row.startsWith('!')) return row.slice(1)
    const cols = row.split(',')
    return JSON.stringify({pad: 'x'.repeat(210), ...Object.fromEntries(names.map((n, i) => [n, cols[i]]))})
  })
}

/** Sets field `col` of line `at` (1-based) to `value`. */
function setField(lines: string[], at: number, col: number, value: string): void {
  const cols = lines[at - 1].split(',')
  cols[col] = value
  lines[at - 1] = cols.join(',')
}

describe('an unusable row', () => {
  it('with an empty time (typed by the reader) is shown at its own line', async () => {
    const {file, unparseable, first} = await review('empty-time.csv', (lines) => {
      setField(lines, 100, 0, '')
      setField(lines, 200, 1, '')
    })
    expect(unparseable).toBe(2)
    // Was: [file] alone for the time, or the empty time taken for the empty terminal's line.
    expect(first).toEqual([`${file}:100`, `${file}:200`])
  })

  it('is not found at a line emptied in the cleaned copy (a bare CR)', async () => {
    const {file, unparseable, first} = await review('bare-cr.csv', (lines) => {
      // Line 10 has a bare CR in a quoted, unmapped field: the copy empties it (counted and shown at its own line).
      setField(lines, 10, 6, '"三陸\r陽子"')
      setField(lines, 100, 1, '')
    })
    expect(unparseable).toBe(2)
    // Was: [file:10] only: the emptied line was taken for the row with the empty terminal.
    expect(first).toEqual([`${file}:10`, `${file}:100`])
  })

  it('is shown among the first five in the file, whatever its bad time says', async () => {
    const {file, unparseable, first} = await review(
      'bad-times.csv',
      (lines) => {
        for (let i = 1; i < lines.length; i++) lines[i] = isoTime(lines[i])
        // Ten bad times, each by another user (so each keeps its own sample), in reverse text order in the file.
        for (let k = 0; k < 10; k++) {
          setField(lines, 50 * (k + 1), 0, `bad-${String.fromCharCode(0x7a - k)}`)
          setField(lines, 50 * (k + 1), 3, `BAD-USER-${k}`)
        }
      },
      {copies: 3, mapping: (m) => m.replace('"%Y/%m/%d %H:%M:%S"', 'iso8601')},
    )
    expect(unparseable).toBe(10)
    // Was: lines 300-500, the five smallest texts.
    expect(first).toEqual([50, 100, 150, 200, 250].map((l) => `${file}:${l}`))
  })

  it('with a negative count is shown at its own line, not at a good row of the same second', async () => {
    const {file, unparseable, first} = await review(
      'negative-count-iso.csv',
      (lines) => {
        for (let i = 1; i < lines.length; i++) lines[i] = isoTime(lines[i])
        // Line 101 repeats line 100 (a good row) with a count of -3.
        lines[100] = lines[99]
        setField(lines, 101, 9, '-3')
      },
      {mapping: (m) => m.replace('"%Y/%m/%d %H:%M:%S"', 'iso8601')},
    )
    expect(unparseable).toBe(1)
    // Was: [file:100], the good row with the same time.
    expect(first).toEqual([`${file}:101`])
  })

  it('with a negative count, its time typed by the reader, is shown at its own line', async () => {
    const {file, unparseable, first} = await review('negative-count.csv', (lines) => {
      for (const at of [60, 120, 180]) setField(lines, at, 9, '-1')
    })
    expect(unparseable).toBe(3)
    // Was: [file], with no line.
    expect(first).toEqual([60, 120, 180].map((l) => `${file}:${l}`))
  })

  it('in a JSON Lines file is shown at its own line, not at a good line that starts the same', async () => {
    const {file, unparseable, first} = await review(
      'long.jsonl',
      (lines) => {
        // JSON line 100 (CSV line 101) is cut short; JSON line 200 has an empty terminal.
        lines[100] = `!${toJsonLines([lines[0], lines[100]])[0].slice(0, -1)},`
        setField(lines, 201, 1, '')
      },
      {copies: 2, jsonl: true, mapping: (m) => m.replace('format: csv', 'format: jsonl')},
    )
    expect(unparseable).toBe(2)
    // Was: [file:1] (or lines 1 and 2), good lines that start with the same 200 characters.
    expect(first).toEqual([`${file}:100`, `${file}:200`])
  })
})
