/**
 * Attack (attack7): when lines were emptied in the cleaned copy, the lines of the copy that became no row, no reject
 * and no emptied line are counted as unparseable (see "Invalid UTF-8 and stray line endings"). They were counted
 * from the file's newlines less one for the header, so in a file whose last line has no newline (an export cut at
 * its end, or written without one) the last line lost was one too few: one line of the file was neither reviewed nor
 * counted. Here an invalid byte empties line 100 and a stray quote on line 501 makes the engine read the rest of the
 * file as one field: 1,047 lines, 1,046 accounted for.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'

import {encodeCp932} from '../../src/facts/logs/sjis.js'
import {analyzeLogs, exampleDayLines, exampleLogMapping} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-attack7-nofinal-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

async function review(file: string, name: string, encoding: string) {
  const mapping = exampleLogMapping(join(tmp, `${name}.yaml`), file, encoding)
  const r = await analyzeLogs(mapping, '2026-10-15', '2026-10-15', {timeout: 120_000})
  expect(r.stderr).toBe('')
  expect(r.code).toBe(1)
  return JSON.parse(r.stdout).logs.files[0] as {rows: number; unparseable: number; first_unparseable: string[]}
}

describe('a file without a final newline, with an emptied line and lines the engine lost', () => {
  for (const [name, encoding, gzip] of [
    ['plain', 'utf-8', false],
    ['gzip', 'utf-8', true],
    ['sjis', 'shift_jis', false],
  ] as const)
    it(`counts every line (${name})`, async () => {
      const [header, ...rows] = exampleDayLines()
      const lines = [header]
      for (let k = 0; k < 3; k++) lines.push(...rows)
      const cols = lines[500].split(',')
      cols[6] = `"${cols[6]}`
      lines[500] = cols.join(',')
      const text = lines.join('\n')
      let bytes = encoding === 'utf-8' ? Buffer.from(text) : encodeCp932(text)
      // An invalid byte on line 100 (0xFF is neither UTF-8 nor CP932).
      let at = 0
      for (let k = 0; k < 99; k++) at = bytes.indexOf(0x0a, at) + 1
      bytes[at + 3] = 0xff
      if (gzip) bytes = gzipSync(bytes)
      const file = join(tmp, `${name}.csv${gzip ? '.gz' : ''}`)
      writeFileSync(file, bytes)
      const logs = await review(file, name, encoding)
      // Was: 1,046 of the 1,047 lines (the last one neither a row nor counted). Lines 2-500 but line 100 are rows.
      expect(logs.rows).toBe(lines.length - 1)
      expect(logs.unparseable).toBe(lines.length - 1 - 498)
      expect(logs.first_unparseable).toEqual([`${file}:100`, `${file}:501`])
    })
})
