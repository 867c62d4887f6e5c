/**
 * What the review reads: every format and encoding gives the same findings; bad mappings are exit-2 problems at
 * their line and column; hostile lines are counted, bounded and escaped, never a crash or a silent skip.
 */
import {isUtf8} from 'node:buffer'
import {createHash, randomBytes} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {InputError} from '../../../../src/model/errors.js'
import {type FilePlan, transcode} from '../../../../src/facts/logs/files.js'
import {Cp932ToUtf8, encodeCp932} from '../../../../src/facts/logs/sjis.js'
import {
  baseLogInventory,
  cleanup,
  COMPETITOR,
  hits,
  mapping,
  review,
  row,
  runEngine,
  writeScenario,
} from './scenario.js'

afterAll(cleanup)

const incidents = [
  row('2026-03-27 10:00:00', 'T-NW', 'R1', {supply_point: COMPETITOR[1]}),
  row('2026-03-30 09:00:00', 'T-RT', 'R1', {unmasked: false}),
  row('2026-04-01 00:30:00', 'T-TEMP', 'N1', {unmasked: false}),
]
const WANT = [
  'T-NW logs/competitor-data-to-retail-person',
  'T-RT logs/setting-differs-from-role',
  'T-TEMP logs/undeclared-terminal',
]

describe('formats and encodings give the same review', () => {
  it('UTF-8 CSV', async () => {
    const s = await writeScenario(baseLogInventory(), {extra: incidents})
    expect(hits(await review(s))).toEqual(WANT)
  })

  it('Shift_JIS (CP932) CSV, gzip, without a .gz name', async () => {
    const s = await writeScenario(baseLogInventory(), {
      extra: incidents,
      gen: {encoding: 'shift_jis', gzip: true},
      mapping: mapping({encoding: 'cp932', files: ['logs/*.csv.gz']}),
    })
    // A raw-bytes check that the file really is CP932 (the header's first kanji, 日 = 0x93FA).
    const first = readdirSync(s.logs)[0]
    const {gunzipSync} = await import('node:zlib')
    expect([...gunzipSync(readFileSync(join(s.logs, first))).subarray(0, 2)]).toEqual([0x93, 0xfa])
    const result = await review(s)
    expect(hits(result)).toEqual(WANT)
    expect(result.logs?.unparseable).toBe(0)
  })

  it('JSON Lines', async () => {
    const s = await writeScenario(baseLogInventory(), {
      extra: incidents,
      gen: {format: 'jsonl'},
      mapping: mapping({format: 'jsonl', files: ['logs/*.jsonl']}),
    })
    expect(hits(await review(s))).toEqual(WANT)
  })

  it('UTF-8 with a byte order mark, and TSV', async () => {
    const s = await writeScenario(baseLogInventory(), {extra: incidents, mapping: mapping({format: 'tsv'})})
    for (const f of readdirSync(s.logs)) {
      const text = readFileSync(join(s.logs, f), 'utf8').replaceAll(',', '\t')
      writeFileSync(join(s.logs, f), `\uFEFF${text}`)
    }

    const result = await review(s)
    expect(hits(result)).toEqual(WANT)
    expect(result.logs?.unparseable).toBe(0)
  })

  it('Parquet (written by the engine from the CSV files)', async () => {
    const s = await writeScenario(baseLogInventory(), {
      extra: incidents,
      mapping: mapping({format: 'parquet', files: ['logs/all.parquet']}),
    })
    await runEngine(
      `COPY (SELECT * FROM read_csv('${s.logs}/*.csv', header = true, all_varchar = true)) TO '${s.logs}/all.parquet' (FORMAT parquet)`,
    )
    expect(hits(await review(s))).toEqual(WANT)
  })

  it("times with an offset, and times without one read in the mapping's zone (UTC): 03-31 15:30 UTC is 04-01 00:30 in Tokyo", async () => {
    const inv = baseLogInventory()
    Object.assign(inv.terminals[2], {status: 'removed', removed: '2026-03-31'})
    for (const [format, time] of [
      ['iso8601', '2026-03-31T15:30:00Z'],
      ['%Y-%m-%d %H:%M:%S%z', '2026-03-31 15:30:00+0000'],
      ['%Y-%m-%d %H:%M:%S', '2026-03-31 15:30:00'],
    ]) {
      const s = await writeScenario(inv, {mapping: mapping({timestamp: {format, zone: 'UTC'}})})
      // Replace the generated files by one hand-written file in UTC: a use each day, and the late login.
      for (const f of readdirSync(s.logs)) rmSync(join(s.logs, f))
      const lines = ['日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,契約名義,電話番号,表示項目,件数']
      lines.push(
        `${format === 'iso8601' ? '2026-03-31T02:00:00Z' : format.includes('z') ? '2026-03-31 02:00:00+0000' : '2026-03-31 02:00:00'},T-NW,NW,N1,照会,,,,,1`,
      )
      lines.push(
        `${format === 'iso8601' ? '2026-03-31T14:59:00Z' : format.includes('z') ? '2026-03-31 14:59:00+0000' : '2026-03-31 14:59:00'},T-NW2,NW,N2,照会,,,,,1`,
      )
      lines.push(`${time},T-NW2,NW,N2,照会,,,,,1`)
      writeFileSync(join(s.logs, 'utc.csv'), `${lines.join('\n')}\n`)
      const result = await review(s, {from: '2026-03-31', to: '2026-04-01'})
      const removed = result.findings.filter((f) => f.rule === 'logs/removed-terminal-used')
      expect(
        removed.map((f) => f.message.en),
        format,
      ).toEqual([
        'used 1 times after its removal day 2026-03-31 (first 2026-04-01T00:30:00+09:00, last 2026-04-01T00:30:00+09:00)',
      ])
    }
  })
})

describe('bad mappings are exit 2 at their line and column', () => {
  async function problems(over: Record<string, unknown>, text?: string): Promise<string[]> {
    const s = await writeScenario(baseLogInventory(), {mapping: mapping(over)})
    if (text) writeFileSync(s.mapping, text)
    try {
      await review(s)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      return error.problems.map(
        (p) => `${p.file === s.mapping ? 'mapping' : p.file}:${p.line}:${p.column} ${p.message} (${p.code})`,
      )
    }

    throw new Error('no problem reported')
  }

  it('a column that is not in the header', async () => {
    const out = await problems({}, stringify(mapping()).replace('terminal: 端末ID', 'terminal: 端末番号'))
    expect(out).toHaveLength(1)
    expect(out[0]).toMatch(
      /^mapping:\d+:13 fields\.terminal: column "端末番号" is not in .*access-20260325\.csv \(it has: "日時", "端末ID", .*\) \(and 13 more files\) \(E_MAPPING\)$/,
    )
  })

  it('an unknown encoding', async () => {
    const out = await problems({encoding: 'euc-jp'})
    expect(out).toEqual([
      expect.stringMatching(
        /^mapping:6:11 encoding: must be one of "utf-8", "utf8", "shift_jis", "sjis", "cp932", "windows-31j" \(E_SCHEMA\)$/,
      ),
    ])
  })

  it('a malformed timestamp format points at the bad specifier', async () => {
    const text = stringify(mapping()).replace('format: "%Y/%m/%d %H:%M:%S"', 'format: "%Y/%m/%d %H:%Q:%S"')
    const out = await problems({}, text)
    const line = text.split('\n').findIndex((l) => l.includes('%Q')) + 1
    const column = text.split('\n')[line - 1].indexOf('%Q') + 1
    expect(out).toEqual([
      `mapping:${line}:${column} timestamp.format: unknown specifier "%Q" (known: %Y %y %m %d %e %H %I %M %S %f %g %n %z %Z %p %b %B %h %a %A %j %%, or iso8601) (E_MAPPING)`,
    ])
  })

  it('a timestamp format without an hour, and an unknown zone', async () => {
    const out = await problems({timestamp: {format: '%Y-%m-%d', zone: 'Asia/Nowhere'}})
    expect(out).toEqual([
      expect.stringMatching(/timestamp\.format: "%Y-%m-%d" has no hour, minute \(E_MAPPING\)$/),
      expect.stringMatching(/timestamp\.zone: unknown time zone "Asia\/Nowhere" \(E_MAPPING\)$/),
    ])
  })

  it('files that match nothing, and an unknown key', async () => {
    expect(await problems({files: ['nope/*.csv']})).toEqual([
      expect.stringMatching(/files: nothing matches "nope\/\*\.csv"/),
    ])
    expect(await problems({colour: 'red'})).toEqual([
      expect.stringMatching(/^mapping:\d+:1 colour: unknown key "colour" \(E_SCHEMA\)$/),
    ])
  })
})

describe('hostile and broken lines', () => {
  it('control characters, a huge field and invalid bytes are bounded, escaped and counted', async () => {
    const s = await writeScenario(baseLogInventory())
    const header = '日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,契約名義,電話番号,表示項目,件数\n'
    const huge = 'X'.repeat(5000)
    const evil = 'T-\u001b[31mEVIL\u202e'
    const body = [
      `2026/03/27 10:00:00,${evil},小売,N1,照会,,,,,1`,
      `2026/03/27 10:01:00,${huge},小売,N1,照会,,,,,1`,
      `2026/03/27 10:02:00,T-NW,NW,N1,照会,,,,,${'9'.repeat(3 << 20)}`,
    ].join('\n')
    writeFileSync(
      join(s.logs, 'evil.csv'),
      Buffer.concat([Buffer.from(header + body + '\n'), Buffer.from([0xff, 0xfe, 0x0a])]),
    )
    const result = await review(s)
    const undeclared = result.findings.filter((f) => f.rule === 'logs/undeclared-terminal')
    // Escaped in the finding itself (so in JSON and SARIF too), not only when a table shows it.
    expect(undeclared.map((f) => f.terminal)).toContain('T-\\u001b[31mEVIL\\u202e')
    // The huge id is kept to 200 characters by the engine and shown to at most 120 (plus an ellipsis).
    expect(Math.max(...undeclared.map((f) => f.terminal.length))).toBeLessThanOrEqual(121)
    const bad = result.findings.find((f) => f.rule === 'logs/unparseable-lines')!
    expect(bad.message.en).toMatch(/^2 line\(s\) of .*evil\.csv could not be read \(.*evil\.csv:4, .*evil\.csv:5\)/)
    const {reporters} = await import('../../../../src/report/index.js')
    const table = reporters.table.render(result, {lang: 'en', color: false, cwd: s.dir})
    expect(table).toContain('T-\\u001b[31mEVIL\\u202e')
    expect(table).not.toContain('\u001b')
  })

  it('the CP932 decoder agrees with the WHATWG decoder and writes U+FFFD for invalid sequences, never a byte that is not UTF-8', () => {
    const text = '日時,端末ＩＤ,ｶﾀｶﾅ,①,髙,～\n'
    const bytes = encodeCp932(text)
    const d = new Cp932ToUtf8()
    const chunks: Buffer[] = []
    d.on('data', (c: Buffer) => chunks.push(c))
    // Split inside a double-byte character to cross a chunk boundary.
    d.write(bytes.subarray(0, 3))
    d.write(Buffer.concat([bytes.subarray(3), Buffer.from([0x81, 0x20, 0x0a, 0x82])]))
    d.end()
    const out = Buffer.concat(chunks)
    expect(out.toString('utf8', 0, Buffer.byteLength(text))).toBe(new TextDecoder('shift_jis').decode(bytes))
    expect(d.invalid).toBe(2)
    expect(d.invalidLines).toEqual([2, 3])
    // An invalid byte in the copy could abort the engine's whole scan: the copy is always valid UTF-8.
    expect(out.includes(0xff)).toBe(false)
    expect(isUtf8(out)).toBe(true)
    expect(out.toString('utf8')).toContain('\uFFFD')
  })

  it('a plain Shift_JIS file is transcoded chunk by chunk exactly as the streamed gzip one: text, invalid lines, hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-sjis-'))
    try {
      // Over two 1 MiB chunks, with a double-byte character split by the first chunk boundary and invalid
      // sequences (a lone lead byte before a newline, an undefined pair) on known lines after it.
      const line = encodeCp932('2026/03/27 10:00:00,T-NW,小売,N1,照会,,,,契約名義,1\n')
      const lines: Buffer[] = []
      let bytes = 0
      while (bytes + line.length <= (1 << 20) - 1) {
        lines.push(line)
        bytes += line.length
      }
      const pad = Buffer.alloc((1 << 20) - 1 - bytes, 0x41)
      const tail = Buffer.concat([encodeCp932('髙\n'), Buffer.from([0x81, 0x0a, 0x85, 0x40, 0x0a]), line, line])
      const text = Buffer.concat([...lines, pad, tail])
      expect(text[(1 << 20) - 1]).toBeGreaterThanOrEqual(0x81)
      const plainFile = join(dir, 'a.csv')
      writeFileSync(plainFile, text)
      writeFileSync(`${plainFile}.gz`, gzipSync(text))
      const plain: FilePlan = {
        file: plainFile,
        path: join(dir, 'a.txt'),
        gzip: false,
        bytes: text.length,
        invalidLines: [],
        invalid: 0,
      }
      const gz: FilePlan = {
        ...plain,
        file: `${plainFile}.gz`,
        path: join(dir, 'b.txt'),
        gzip: true,
        // The file's own size, as planned (compressed): the copy is compared with its plan.
        bytes: statSync(`${plainFile}.gz`).size,
        invalidLines: [],
      }
      await transcode(plain)
      await transcode(gz)
      const out = readFileSync(plain.path)
      expect(out.equals(readFileSync(gz.path))).toBe(true)
      const first = lines.length + 1
      expect(plain.invalidLines).toEqual([first + 1, first + 2])
      expect(plain.invalid).toBe(2)
      expect(gz.invalidLines).toEqual(plain.invalidLines)
      expect(out.toString('utf8').split('\n')[first - 1]).toBe(`${'A'.repeat(pad.length)}髙`)
      expect(plain.sha256).toBe(createHash('sha256').update(text).digest('hex'))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('a gzip file that is cut short is an input problem naming the file, not a crash', async () => {
    const s = await writeScenario(baseLogInventory(), {mapping: mapping({files: ['logs/*.csv', 'cut.csv.gz']})})
    const gz = gzipSync(readFileSync(join(s.logs, readdirSync(s.logs)[0])))
    writeFileSync(join(s.dir, 'cut.csv.gz'), gz.subarray(0, gz.length - 20))
    await expect(review(s)).rejects.toSatisfy(
      (e: unknown) => e instanceof InputError && /cut\.csv\.gz gzip stream is cut short, corrupt/.test(e.message),
    )
  })

  it('a gzip file followed by bytes that are not gzip says so, small or large (not "not a gzip file")', async () => {
    const s = await writeScenario(baseLogInventory(), {mapping: mapping({files: ['tail.csv.gz']})})
    const text = readFileSync(join(s.logs, readdirSync(s.logs)[0]))
    // Large: over the 1 MiB whose head is checked first, so the whole stream's reader meets the bytes.
    const noise = Buffer.from(
      `${randomBytes(2 << 20)
        .toString('base64')
        .match(/.{1,100}/g)!
        .join('\n')}\n`,
    )
    for (const body of [text.subarray(0, 2000), Buffer.concat([text, noise])]) {
      writeFileSync(join(s.dir, 'tail.csv.gz'), Buffer.concat([gzipSync(body), Buffer.from('trailing bytes')]))
      await expect(review(s)).rejects.toSatisfy(
        (e: unknown) =>
          e instanceof InputError &&
          /tail\.csv\.gz gzip stream is cut short, corrupt, or followed by bytes that are not gzip/.test(e.message),
      )
    }
  })
})
