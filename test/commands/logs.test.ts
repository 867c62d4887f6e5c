/**
 * `logs analyze` and `audit --logs` as users run them, on the bundled example's month of Shift_JIS, gzip logs:
 * the four incidents are found, every report format keeps customers' personal data out, and bad input is exit 2.
 */
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'

import Database from 'better-sqlite3'
import {afterAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, run, AUDIT_EXAMPLE} from './helpers.js'

const MAPPING = `${EXAMPLE}/logs/customer-system.yaml`
const LOGS = [
  'logs',
  'analyze',
  '-i',
  EXAMPLE,
  '--logs',
  MAPPING,
  '--from',
  '2026-10-01',
  '--to',
  '2026-10-31',
  '--now',
  EXAMPLE_NOW,
]
const tmp = mkdtempSync(join(tmpdir(), 'fa-logs-cmd-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** What the example's month must show: terminal + rule, one entry per finding. */
const EXPECTED = [
  'CC-DR-310 logs/competitor-data-in-retail-reachable-zone',
  'CC-DR-310 logs/competitor-data-to-retail-person',
  'CC-DR-310 logs/disaster-terminal-outside-window',
  'CC-NW-301 logs/bulk-export-competitor',
  'CC-NW-301 logs/competitor-data-in-retail-reachable-zone',
  'CC-NW-301 logs/competitor-data-to-retail-person',
  'CC-NW-301 logs/competitor-data-to-retail-person',
  'CC-NW-301 logs/volume-outlier',
  'CC-NW-302 logs/competitor-data-in-retail-reachable-zone',
  'CC-NW-302 logs/competitor-data-to-retail-person',
  'HC-NW-001 logs/competitor-data-in-retail-reachable-zone',
  'HC-NW-001 logs/competitor-data-to-retail-person',
  'HC-NW-002 logs/competitor-data-in-retail-reachable-zone',
  'HC-NW-010 logs/impossible-travel',
  'HC-NW-010 logs/use-after-membership-ended',
  'IS-NW-110 logs/impossible-travel',
  'IS-RT-101 logs/competitor-data-in-retail-reachable-zone',
  'IS-RT-101 logs/competitor-data-to-retail-person',
  'IS-RT-101 logs/setting-differs-from-role',
  'IS-RT-102 logs/competitor-data-in-retail-reachable-zone',
  'IS-RT-102 logs/competitor-data-to-retail-person',
  'IS-RT-102 logs/setting-differs-from-role',
  'IS-RT-105 logs/competitor-data-to-retail-person',
  'IS-RT-105 logs/undeclared-terminal',
  'SK-RT-201 logs/competitor-data-in-retail-reachable-zone',
  'SK-RT-201 logs/competitor-data-to-retail-person',
  'SK-RT-201 logs/setting-differs-from-role',
]

/** Personal data a report must never carry: the export's names and phone numbers, and raw supply point ids. */
function assertNoPersonalData(text: string): void {
  expect(text).not.toMatch(/(東北|青葉|八戸|三陸|仙台|岩手|宮城|秋田) (太郎|花子|一郎|美咲|健|陽子)/)
  expect(text).not.toMatch(/0[789]0-\d{4}-\d{4}/)
  expect(text).not.toMatch(/0322\d{18}/)
}

describe('logs analyze on the bundled example', () => {
  it('finds the four incidents of the case (and a transfer and a shared login) and exits 1', async () => {
    const r = await run([...LOGS, '--format', 'json'], {timeout: 120_000, env: {FLEET_AUDIT_MASK_KEY: 'example'}})
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    expect(result.kind).toBe('logs')
    expect(result.findings.map((f: {terminal: string; rule: string}) => `${f.terminal} ${f.rule}`)).toEqual(EXPECTED)
    expect(result.logs).toMatchObject({
      from: '2026-10-01',
      to: '2026-10-31',
      timezone: 'Asia/Tokyo',
      sources: ['eigyo-online'],
      unparseable: 0,
      supply_points: 'masked',
      mask_key: 'operator',
    })
    expect(result.logs.files).toHaveLength(31)
    for (const f of result.logs.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/)
    const volume = result.findings.find((f: {rule: string}) => f.rule === 'logs/volume-outlier')
    expect(volume.message.en).toMatch(/^ep-kato handled 2\d{3} records on 2026-10-20 \(own median \d+ a day/)
    assertNoPersonalData(r.stdout)
  })

  for (const format of ['table', 'junit', 'sarif', 'markdown']) {
    it(`--format ${format} carries no names, phone numbers or supply point ids`, async () => {
      const r = await run([...LOGS, '--format', format, '--lang', 'ja'], {timeout: 120_000})
      expect(r.code).toBe(1)
      expect(r.stdout).toContain('IS-RT-105')
      assertNoPersonalData(r.stdout)
    })
  }

  it('--show-supply-points shows them in full (for the NW side)', async () => {
    const r = await run([...LOGS, '--format', 'json', '--show-supply-points'], {timeout: 120_000})
    expect(r.stdout).toMatch(/0322\d{18}/)
  })

  it('audit --logs covers settings, placement and use in one run', async () => {
    const r = await run([...AUDIT_EXAMPLE, '--logs', MAPPING, '--from', '2026-10-01', '--to', '2026-10-31', '--json'], {
      timeout: 120_000,
    })
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    const rules = new Set(result.findings.map((f: {rule: string}) => f.rule))
    for (const id of [
      'placement/nw-terminal-in-shared-zone',
      'reconcile/role-mismatch',
      'logs/undeclared-terminal',
      'logs/setting-differs-from-role',
    ])
      expect(rules).toContain(id)
    expect(result.logs.files).toHaveLength(31)
  })

  it('--db records the review (period, sources, file hashes, terminals) in the ledger database', async () => {
    const db = join(tmp, 'ledger.sqlite')
    const r = await run([...LOGS, '--db', db, '--json'], {timeout: 120_000})
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    expect(result.run_id).toBeGreaterThan(0)
    expect(result.logs.review_id).toBeGreaterThan(0)
    const sqlite = new Database(db, {readonly: true})
    const review = sqlite
      .prepare('SELECT period_from, period_to, terminals_covered, run_id FROM log_reviews')
      .get() as Record<string, string | number>
    const files = sqlite.prepare('SELECT count(*) AS n FROM log_review_files').get() as {n: number}
    sqlite.close()
    expect(review).toMatchObject({period_from: '2026-10-01', period_to: '2026-10-31', run_id: result.run_id})
    expect(JSON.parse(String(review.terminals_covered))).toContain('HC-NW-001')
    expect(files.n).toBe(31)
    // November reviewed next, after a skipped month: the gap is a finding.
    const next = await run(
      [
        'logs',
        'analyze',
        '-i',
        EXAMPLE,
        '--logs',
        MAPPING,
        '--from',
        '2026-12-01',
        '--to',
        '2026-12-01',
        '--now',
        EXAMPLE_NOW,
        '--db',
        db,
        '--json',
      ],
      {timeout: 120_000},
    )
    const gap = JSON.parse(next.stdout).findings.find((f: {rule: string}) => f.rule === 'logs/review-gap')
    expect(gap.message.en).toBe('source eigyo-online: 2026-11-01..2026-11-30 (30 day(s)) was never analysed')
  })
})

describe('invalid bytes in the logs are unparseable lines, never a lost review', () => {
  it("the example's month in UTF-8 with 0xFF in 表示項目 and after a bare CR: counted, located, the incidents still found", async () => {
    // The example's export as UTF-8: what made the engine abort the whole review (exit 2) before.
    const dir = join(tmp, 'utf8')
    mkdirSync(dir)
    const names = readdirSync(join(EXAMPLE, 'logs/2026-10')).sort()
    for (const name of names) {
      const text = new TextDecoder('shift_jis').decode(gunzipSync(readFileSync(join(EXAMPLE, 'logs/2026-10', name))))
      const lines = text.split('\r\n').map((l) => Buffer.from(l))
      if (name === names[0]) {
        const cols = lines[2].toString().split(',')
        lines[2] = Buffer.concat([
          Buffer.from(cols.slice(0, 9).join(',')),
          Buffer.from([0xff]),
          Buffer.from(`,${cols[9]}`),
        ])
        lines[4] = Buffer.concat([lines[4], Buffer.from([0x0d, 0xff])])
      }

      writeFileSync(
        join(dir, name.replace(/\.gz$/, '')),
        Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\r\n')])).subarray(0, -2),
      )
    }

    const mapping = join(tmp, 'utf8.yaml')
    writeFileSync(
      mapping,
      readFileSync(MAPPING, 'utf8')
        .replace('encoding: shift_jis', 'encoding: utf-8')
        .replace(/files: .*/, `files: ["${dir}/*.csv"]`),
    )
    const r = await run(
      [
        'logs',
        'analyze',
        '-i',
        EXAMPLE,
        '--logs',
        mapping,
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--now',
        EXAMPLE_NOW,
        '--format',
        'json',
      ],
      {timeout: 120_000},
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    const first = join(dir, names[0].replace(/\.gz$/, ''))
    expect(result.logs.unparseable).toBe(2)
    expect(result.logs.files[0].first_unparseable).toEqual([`${first}:3`, `${first}:5`])
    const rules = result.findings.map((f: {terminal: string; rule: string}) => `${f.terminal} ${f.rule}`)
    for (const e of EXPECTED) expect(rules).toContain(e)
    expect(result.findings.find((f: {rule: string}) => f.rule === 'logs/unparseable-lines').message.en).toContain(
      `2 line(s) of ${first} could not be read`,
    )
  })
})

describe('bad input is exit 2 with file:line:column', () => {
  it('no --from or --to', async () => {
    const r = await run(['logs', 'analyze', '-i', EXAMPLE, '--logs', MAPPING])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      "--from DAY is required for a log review (whole days in the policy's time zone) (E_FLAG)\n--to DAY is required for a log review (whole days in the policy's time zone) (E_FLAG)\n",
    )
  })

  it('--mask-key-env naming a variable that is not set (the masks would quietly hold for one run only)', async () => {
    const args = [...LOGS, '--mask-key-env', 'NW_MASK_KEY', '--format', 'json']
    const r = await run(args, {env: {NW_MASK_KEY: ''}})
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      '--mask-key-env NW_MASK_KEY: the variable is not set (or is empty), so there is no key (E_FLAG)\n',
    )
    // Set, it is the key.
    const ok = await run(args, {timeout: 120_000, env: {NW_MASK_KEY: 'nw-secret'}})
    expect(ok.code).toBe(1)
    expect(JSON.parse(ok.stdout).logs.mask_key).toBe('operator')
  })

  it('a mapping naming a missing column, also under --json', async () => {
    const mapping = join(tmp, 'bad.yaml')
    writeFileSync(
      mapping,
      `version: 1\nsource: s\nfiles: ["${join(process.cwd(), EXAMPLE, 'logs/2026-10/access-20261001.csv.gz')}"]\nformat: csv\nencoding: shift_jis\ntimestamp: {format: "%Y/%m/%d %H:%M:%S", zone: Asia/Tokyo}\nfields: {time: 日時, terminal: 端末, user: 利用者ID, action: 操作}\n`,
    )
    const r = await run([
      'logs',
      'analyze',
      '-i',
      EXAMPLE,
      '--logs',
      mapping,
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-01',
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      new RegExp(
        `^${mapping}:7:30 fields\\.terminal: column "端末" is not in .*access-20261001\\.csv\\.gz \\(it has: "日時", "端末ID"`,
      ),
    )
    const j = await run([
      'logs',
      'analyze',
      '-i',
      EXAMPLE,
      '--logs',
      mapping,
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-01',
      '--json',
    ])
    expect(j.code).toBe(2)
    expect(JSON.parse(j.stdout).error.problems[0]).toMatchObject({
      code: 'E_MAPPING',
      file: mapping,
      line: 7,
      column: 30,
    })
  })

  it('audit --logs with a selection is refused: coverage findings belong to no terminal and would be hidden', async () => {
    const r = await run([
      'audit',
      '-i',
      EXAMPLE,
      '--facts',
      EXAMPLE_FACTS,
      '--logs',
      MAPPING,
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-31',
      '--site',
      'hachinohe',
      '--now',
      EXAMPLE_NOW,
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--logs reviews the whole fleet: it cannot be combined with --only, --site or --zone')
  })

  it('rules list --needs logs lists the log rules', async () => {
    const r = await run(['rules', 'list', '--needs', 'logs'])
    expect(r.code).toBe(0)
    const [header, ...rows] = r.stdout.trim().split('\n')
    expect(header).toMatch(/^ID\s+SEVERITY/)
    expect(rows).toHaveLength(16)
    for (const row of rows) expect(row).toMatch(/^logs\//)
  })
})
