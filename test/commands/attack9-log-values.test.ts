/**
 * Attack (attack9) on logged values in findings and messages. An export without a header line: the mapping's
 * columns are missing, and the exit-2 message listed what the first line "has", that is the first row's values: a
 * customer's name, phone number and supply point in full, once per mapped field, on stderr (and so in CI logs).
 *
 * And logged values in findings: a terminal id, user id, setting or action from the logs with an
 * escape sequence (ESC), a bell or a bidi override reached the JSON and SARIF reports (and the ledger's history, which
 * keeps the findings) as it was, where every other format showed it escaped: a SARIF viewer or `jq -r` then recolours
 * a terminal or reorders what an auditor reads. Logged values are escaped in the finding itself, like terminal output.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {
  analyzeLogs,
  EXAMPLE,
  EXAMPLE_NOW,
  exampleDayLines,
  exampleLogMapping,
  run,
  STACK_LINE,
  tempDir,
} from './helpers.js'

const {dir, remove} = tempDir('fa-attack9-values-')
afterAll(remove)

/** Unsafe characters: ESC, BEL, RLO (bidi override), line separator, DEL. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

const EVIL_TERMINAL = 'EV\u001b[31mIL\u202eTERM\u0007'
const EVIL_USER = 'U\u001b]0;owned\u0007SR\u2028X'
const EVIL_SETTING = 'nw\u202e<x>'
const EVIL_ACTION = '\u007fview\u2066'

function writeLogs(): string {
  const [header, ...rows] = exampleDayLines()
  const row = (time: string, terminal: string, setting: string, user: string, action: string) =>
    `2026/10/15 ${time},"${terminal}",${setting},"${user}","${action}",0322059369875712214385,三陸 陽子,090-2059-5637,契約名義,1`
  const evil = [
    row('10:00:00', EVIL_TERMINAL, 'NW', 'NW-H001', '照会'),
    row('10:01:00', 'HC-NW-002', 'NW', EVIL_USER, '照会'),
    row('10:02:00', 'HC-NW-002', `"${EVIL_SETTING}"`, 'NW-H001', '照会'),
    row('10:03:00', 'HC-NW-002', 'NW', 'NW-H001', EVIL_ACTION),
  ]
  const file = join(dir, 'evil.csv')
  writeFileSync(file, [header, ...rows, ...evil].join('\n') + '\n')
  // The logged setting is not mapped to nw or retail: it reaches the setting rule as it was logged.
  return exampleLogMapping(join(dir, 'evil.yaml'), file)
}

describe('logged values with control characters and bidi overrides', () => {
  it('are escaped in the JSON and SARIF reports, not only in the table', async () => {
    const mapping = writeLogs()
    const args = ['logs', 'analyze', '-i', EXAMPLE, '--logs', mapping, '--from', '2026-10-15', '--to', '2026-10-15']
    const json = await run([...args, '--now', EXAMPLE_NOW, '--format', 'json'], {timeout: 120_000})
    expect(json.stderr).toBe('')
    expect(json.code).toBe(1)
    const findings = JSON.parse(json.stdout).findings as {
      terminal: string
      message: {en: string; ja: string}
      actual?: string
    }[]
    // The four values each made a finding (undeclared terminal, unknown user, setting) and none kept its characters.
    expect(findings.some((f) => f.terminal.includes('EV\\u001b[31mIL\\u202eTERM\\u0007'))).toBe(true)
    expect(findings.some((f) => f.message.en.includes('U\\u001b]0;owned\\u0007SR\\u2028X'))).toBe(true)
    expect(findings.some((f) => f.actual?.includes('nw\\u202e<x>'))).toBe(true)
    for (const f of findings)
      expect(JSON.stringify([f.terminal, f.message, f.actual]), f.message.en).not.toMatch(UNSAFE)

    const sarif = join(dir, 'out.sarif')
    const s = await run([...args, '--now', EXAMPLE_NOW, '--format', 'sarif', '-o', sarif], {timeout: 120_000})
    expect(s.stderr).toContain('findings')
    const text = readFileSync(sarif, 'utf8')
    expect(JSON.parse(text).runs[0].results.length).toBe(findings.length)
    expect(JSON.stringify(JSON.parse(text))).not.toMatch(UNSAFE)
  })
})

describe('an export without a header line', () => {
  it("is exit 2 at the mapping's fields, and the first row's personal data is not printed", async () => {
    const [, ...rows] = exampleDayLines()
    const file = join(dir, 'no-header.csv')
    writeFileSync(file, rows.join('\n') + '\n')
    const [time, , , , , sp, name, phone] = rows[0].split(',')
    const r = await analyzeLogs(exampleLogMapping(join(dir, 'no-header.yaml'), file), '2026-10-15')
    expect(r.code).toBe(2)
    expect(r.stderr).not.toMatch(STACK_LINE)
    expect(r.stderr).toMatch(
      /no-header\.yaml:\d+:\d+ fields\.time: column "日時" is not in .*no-header\.csv \(it has: 10 value/,
    )
    for (const value of [name, phone, sp, time]) expect(r.stderr).not.toContain(value)
  })
})

describe('a record count near 2^63', () => {
  it('is an unusable row at its line, not a sum that overflows and fails the whole review (exit 2)', async () => {
    const [header, ...rows] = exampleDayLines()
    const count = (n: string, at: string) =>
      `2026/10/15 ${at},HC-NW-002,NW,NW-H001,出力,0322059369875712214385,三陸 陽子,090-2059-5637,契約名義,${n}`
    const huge = ['10:01:00', '10:02:00', '10:03:00'].map((at) => count('9223372036854775807', at))
    const file = join(dir, 'huge-count.csv')
    // Three lines overflow a sum; the next is over the most one row may log (1e9); the last is at it, and used.
    const lines = [header, ...rows, ...huge, count('1000000001', '10:04:00'), count('1000000000', '10:05:00')]
    writeFileSync(file, lines.join('\n') + '\n')
    const r = await analyzeLogs(exampleLogMapping(join(dir, 'huge-count.yaml'), file), '2026-10-15')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    const logs = JSON.parse(r.stdout).logs.files[0]
    expect(logs.unparseable).toBe(4)
    const first = rows.length + 2
    expect(logs.first_unparseable).toEqual([0, 1, 2, 3].map((n) => `${file}:${first + n}`))
    expect(logs.rows).toBe(lines.length - 1)
  })
})

describe('a timestamp format with a zone name (%Z)', () => {
  it('reads the logged zone: 14:10 UTC is 23:10 in Tokyo, not 14:10 (the reader dropped the name)', async () => {
    const [header, ...rows] = exampleDayLines()
    const file = join(dir, 'utc-names.csv')
    const stamp = /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d),/
    writeFileSync(file, [header, ...rows.map((l) => l.replace(stamp, '$1 UTC,'))].join('\n') + '\n')
    const mapping = exampleLogMapping(join(dir, 'utc-names.yaml'), file)
    writeFileSync(mapping, readFileSync(mapping, 'utf8').replace('"%Y/%m/%d %H:%M:%S"', '"%Y/%m/%d %H:%M:%S %Z"'))
    const r = await analyzeLogs(mapping, '2026-10-15', '2026-10-16')
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    expect(result.logs.files[0]).toMatchObject({rows: rows.length, unparseable: 0})
    const ended = result.findings.filter((f: {rule: string}) => f.rule === 'logs/use-after-membership-ended')
    expect(ended.map((f: {message: {en: string}}) => f.message.en)).toEqual([
      expect.stringContaining('first 2026-10-15T23:10:00+09:00'),
    ])
  })
})
