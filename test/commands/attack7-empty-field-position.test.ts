/**
 * Attack (attack7): a row the engine reads but cannot use because a mapped field is empty (no terminal, no user) is
 * located by a second pass that looks for "the first data line with an empty field where the value would be". That
 * pass matched any empty field: the example's export leaves 契約名義 and 電話番号 empty on many rows, so an empty
 * terminal on line 5001 and an empty user on line 6001 were both shown as `file:6`, a good line. Now the empty field
 * is looked for in the mapped columns a row cannot do without. (Still only the first such line is shown: the rows
 * with an empty value share one needle.)
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {analyzeLogs, exampleDayLines, exampleLogMapping} from './helpers.js'

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

    const file = join(tmp, 'empty.csv')
    writeFileSync(file, lines.join('\n') + '\n')
    const mapping = exampleLogMapping(join(tmp, 'empty.yaml'), file, 'utf-8')
    const r = await analyzeLogs(mapping, '2026-10-15', '2026-10-15', {timeout: 120_000})
    expect(r.stderr).toBe('')
    const logs = JSON.parse(r.stdout).logs.files[0]
    expect(logs.unparseable).toBe(2)
    // Was: [empty.csv:6], a good line.
    expect(logs.first_unparseable[0]).toBe(`${file}:5001`)
  })
})
