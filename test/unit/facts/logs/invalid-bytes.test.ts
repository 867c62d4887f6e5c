/**
 * Invalid bytes and stray line endings in real log files, read by the real engine: each such line is counted and
 * located (file:line of the original file) as unparseable, never a crash of the engine (an invalid byte in some
 * columns invalidated DuckDB's whole database; a bare CR or a LF in a CRLF file stopped its CSV reader) and never
 * skipped silently. The other rows are read as before.
 */
import {isUtf8} from 'node:buffer'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {EXAMPLE_HEADER} from '../../../../src/facts/logs/generate.js'
import {encodeCp932} from '../../../../src/facts/logs/sjis.js'
import {Utf8Clean} from '../../../../src/facts/logs/utf8.js'
import {baseLogInventory, cleanup, linesOf, mapping, review, writeScenario} from './scenario.js'

afterAll(cleanup)

/** The generated files' columns, each of which gets every hostile sequence. */
const COLUMNS = EXAMPLE_HEADER

/** Appends `bad` to column `col` of a CSV line (before its line ending). */
function spoil(line: Buffer, col: number, bad: number[], delimiter = 0x2c): Buffer {
  const body = line.subarray(0, line.length - 2)
  let at = 0
  for (let c = 0; c <= col; c++) {
    const next = body.indexOf(delimiter, at)
    if (c === col) {
      const end = next === -1 ? body.length : next
      return Buffer.concat([body.subarray(0, end), Buffer.from(bad), body.subarray(end), line.subarray(-2)])
    }

    at = next + 1
  }

  throw new Error('no such column')
}

/** Hostile UTF-8: a byte that is never UTF-8, a lone continuation, overlong, a surrogate, > U+10FFFF, cut short. */
const HOSTILE = [[0xff], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe3, 0x81], [0xfe, 0xfe]]

/** A generated scenario, reviewed, then its first file edited line by line and reviewed again. */
async function spoiled(edit: (lines: Buffer[]) => void, perTerminalDay = 8) {
  const s = await writeScenario(baseLogInventory(), {gen: {perTerminalDay}})
  const file = join(s.logs, readdirSync(s.logs).sort()[0])
  const clean = await review(s)
  const lines = linesOf(file)
  edit(lines)
  writeFileSync(file, Buffer.concat(lines))
  return {s, file, clean, result: await review(s)}
}

function fileSummary(result: Awaited<ReturnType<typeof review>>, file: string) {
  return result.logs!.files.find((f) => f.file.endsWith(file.split('/').pop()!))!
}

describe('invalid UTF-8 in a mapped column is one unparseable line, never a crash', () => {
  // Each hostile sequence in each column (mapped or not) on its own line: one review of one file.
  it('every hostile sequence in every column: each line counted and located, the other rows read', async () => {
    const spoiledLines: number[] = []
    const {file, clean, result} = await spoiled((lines) => {
      let n = 2
      for (const bad of HOSTILE)
        for (let col = 0; col < COLUMNS.length; col++) {
          lines[n - 1] = spoil(lines[n - 1], col, bad)
          spoiledLines.push(n)
          n += 2
        }
    }, 60)
    expect(spoiledLines.length).toBe(HOSTILE.length * COLUMNS.length)
    const f = fileSummary(result, file)
    const before = fileSummary(clean, file)
    expect(f.unparseable).toBe(spoiledLines.length)
    expect(f.rows).toBe(before.rows)
    expect(f.first_unparseable).toEqual(spoiledLines.slice(0, 5).map((l) => `${file}:${l}`))
    expect(result.logs!.unparseable).toBe(spoiledLines.length)
    const finding = result.findings.find((x) => x.rule === 'logs/unparseable-lines')!
    expect(finding.message.en).toContain(`${spoiledLines.length} line(s) of ${file} could not be read`)
  })

  it("the bundled format's 表示項目 column with 0xFF (the reported crash), in UTF-8, gzip and TSV", async () => {
    for (const kind of ['csv', 'gz', 'tsv'] as const) {
      const over = kind === 'csv' ? {} : kind === 'gz' ? {files: ['logs/*.gz']} : {format: 'tsv', files: ['logs/*.tsv']}
      const s = await writeScenario(baseLogInventory())
      writeFileSync(s.mapping, stringify(mapping(over)))
      const names = readdirSync(s.logs).sort()
      let first = ''
      for (const name of names) {
        const lines = linesOf(join(s.logs, name))
        const tab = kind === 'tsv'
        if (tab)
          for (const [i, l] of lines.entries())
            lines[i] = Buffer.from(l.toString('latin1').replaceAll(',', '\t'), 'latin1')
        if (name === names[0]) {
          lines[2] = spoil(lines[2], 8, [0xff], tab ? 0x09 : 0x2c)
          lines[5] = spoil(lines[5], 9, [0xff], tab ? 0x09 : 0x2c)
        }

        const bytes = Buffer.concat(lines)
        const target = join(
          s.logs,
          kind === 'csv' ? name : kind === 'gz' ? `${name}.gz` : name.replace(/\.csv$/, '.tsv'),
        )
        writeFileSync(target, kind === 'gz' ? gzipSync(bytes) : bytes)
        if (name === names[0]) first = target
      }

      const f = fileSummary(await review(s), first)
      expect([f.unparseable, f.first_unparseable], kind).toEqual([2, [`${first}:3`, `${first}:6`]])
    }
  })
})

describe('line endings the engine cannot read are cleaned, and a bare CR is an unparseable line', () => {
  it('a bare CR, an invalid byte next to one, NUL before a CR, a LF line in a CRLF file, no newline at the end', async () => {
    const {file, clean, result} = await spoiled((lines) => {
      lines[2] = Buffer.concat([lines[2].subarray(0, 20), Buffer.from([0x0d]), lines[2].subarray(20)])
      lines[4] = Buffer.concat([lines[4].subarray(0, -2), Buffer.from([0x0d, 0xff, 0x0d, 0x0a])])
      lines[6] = Buffer.concat([lines[6].subarray(0, -2), Buffer.from([0x0d, 0x00, 0x0a])])
      // A line ending in LF only: its row is read (the line ending is the file's in the copy), not counted.
      lines[8] = Buffer.concat([lines[8].subarray(0, -2), Buffer.from([0x0a])])
      lines.push(Buffer.concat([lines[10].subarray(0, -2), Buffer.from([0xff])]))
    })
    const f = fileSummary(result, file)
    const before = fileSummary(clean, file)
    const last = linesOf(file).length
    expect(f.first_unparseable).toEqual([3, 5, 7, last].map((l) => `${file}:${l}`))
    expect(f.unparseable).toBe(4)
    expect(f.rows).toBe(before.rows + 1)
  })

  it('a CRLF file with a stray LF but valid UTF-8 (read directly, refused by the engine) is read again from a copy', async () => {
    const {file, clean, result} = await spoiled((lines) => {
      lines[3] = Buffer.concat([lines[3].subarray(0, 10), Buffer.from([0x0a]), lines[3].subarray(10)])
    })
    const f = fileSummary(result, file)
    // The cut line is two lines now (4 and 5); each is a row of too few columns, which the engine rejects itself.
    expect(f.first_unparseable).toEqual([`${file}:4`, `${file}:5`])
    expect(f.rows).toBe(fileSummary(clean, file).rows + 1)
    expect(f.sha256).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('JSON Lines and Shift_JIS', () => {
  it('an invalid byte inside a JSON string value is one unparseable line at its number', async () => {
    const s = await writeScenario(baseLogInventory(), {mapping: mapping({format: 'jsonl', files: ['logs/*.jsonl']})})
    for (const name of readdirSync(s.logs)) {
      const [header, ...rows] = readFileSync(join(s.logs, name), 'utf8').trimEnd().split('\r\n')
      const keys = header.split(',')
      const lines = rows.map((r) =>
        Buffer.from(JSON.stringify(Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])))),
      )
      if (name === readdirSync(s.logs).sort()[0])
        lines[3] = Buffer.concat([lines[3].subarray(0, 30), Buffer.from([0xc3, 0x28]), lines[3].subarray(30)])
      writeFileSync(
        join(s.logs, name.replace(/\.csv$/, '.jsonl')),
        Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])),
      )
    }

    const result = await review(s)
    const first = result.logs!.files.find((f) => f.unparseable > 0)!
    expect([first.unparseable, first.first_unparseable]).toEqual([1, [`${first.file}:4`]])
  })

  it('an invalid CP932 sequence in 表示項目 (its U+FFFD-free copy used to crash the engine)', async () => {
    const s = await writeScenario(baseLogInventory(), {mapping: mapping({encoding: 'shift_jis'})})
    const name = readdirSync(s.logs).sort()[0]
    const file = join(s.logs, name)
    for (const other of readdirSync(s.logs))
      writeFileSync(join(s.logs, other), encodeCp932(readFileSync(join(s.logs, other), 'utf8')))
    const lines = linesOf(file)
    lines[2] = spoil(lines[2], 8, [0x85, 0x40])
    lines[4] = spoil(lines[4], 9, [0xff])
    writeFileSync(file, Buffer.concat(lines))
    const result = await review(s)
    const f = fileSummary(result, file)
    expect([f.unparseable, f.first_unparseable]).toEqual([2, [`${file}:3`, `${file}:5`]])
  })
})

describe('the UTF-8 cleaner', () => {
  /** Cleans `bytes` fed in the given blocks. */
  function cleanUtf8(blocks: Buffer[]): {out: Buffer; blanked: number; lines: number[]} {
    const c = new Utf8Clean(100)
    const parts = blocks.map((b, i) => {
      const out = Buffer.alloc(b.length * 3 + 4)
      return out.subarray(0, c.decodeInto(b, out, i === blocks.length - 1))
    })
    return {out: Buffer.concat(parts), blanked: c.blanked, lines: c.invalidLines}
  }

  it("empties bad lines, keeps line numbers, writes the first line's endings, and copies valid blocks as they are", () => {
    const text = Buffer.concat([
      Buffer.from('a,b\r\nok\r\n'),
      Buffer.from([0x78, 0xff, 0x0d, 0x0a]),
      Buffer.from('lf only\n'),
      Buffer.from('bare\rcr\r\n'),
      Buffer.from('日本\r\n'),
      Buffer.from([0xe6, 0x97]),
    ])
    const {out, blanked, lines} = cleanUtf8([text])
    expect(out.toString()).toBe('a,b\r\nok\r\n\r\nlf only\r\n\r\n日本\r\n')
    expect([blanked, lines]).toEqual([3, [3, 5, 7]])
    expect(isUtf8(out)).toBe(true)
    // The same text in blocks of whole lines gives the same copy; a valid block is copied unchanged.
    const cuts = [0, 9, 13, 21, 30, 38, text.length]
    const blocks = cuts.slice(1).map((c, i) => text.subarray(cuts[i], c))
    expect(cleanUtf8(blocks).out.equals(out)).toBe(true)
    const valid = Buffer.from('x,y\r\n1,2\r\n3,4\r\n')
    expect(cleanUtf8([valid.subarray(0, 5), valid.subarray(5)]).out.equals(valid)).toBe(true)
  })
})
