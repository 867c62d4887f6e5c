/**
 * A rule pack's log rule: its query reads the review's tables and nothing else. A `$name` the query uses that its
 * params do not give is exit 2 at the rule (it was an internal error when the query ran), a param the query does not
 * use is not bound (the engine refused the whole review: an internal error), and a query that does not compile is
 * exit 2 at the rule. A rule pack is input like any other: a query that is not a SELECT (drops a table the other rules
 * read, copies one to a file, attaches or loads something) is exit 2 before any file is read, and one that reads or
 * writes a file (the raw export, with its customers' names and phone numbers, into a finding) is refused by the
 * engine and exit 2 at the rule. A review stopped by a signal (Ctrl-C on a rule that does not end) leaves no UTF-8 copy
 * of the export behind.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN, EXAMPLE, EXAMPLE_NOW, exampleDayLines, exampleLogMapping, ROOT, run} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-rule-params-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** A pack of one log rule with these params and this condition on each user id's rows (or this whole query). */
function pack(name: string, params: string, having: string, sql?: string): string {
  const dir = join(tmp, name)
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'mine.yaml'),
    `pack: mine
rules:
  - id: mine/busy-id
    severity: high
    needs: logs
    params: ${params}
    title: {en: A busy id, ja: 多忙なID}
    rationale: {en: Why, ja: 理由}
    remediation: {en: Fix, ja: 対処}
    message: {en: "{user_id} used {n} times", ja: "{user_id} {n}"}
    sql: |
      ${sql ?? `SELECT min(u.terminal) AS terminal, u.user_id, sum(u.n) AS n FROM usage u GROUP BY u.user_id HAVING ${having}`}
`,
  )
  return dir
}

const reviewArgs = (rules: string) => [
  ...['logs', 'analyze', '-i', EXAMPLE, '--logs', `${EXAMPLE}/logs/customer-system.yaml`],
  ...['--from', '2026-10-01', '--to', '2026-10-31', '--now', EXAMPLE_NOW, '--rules', rules],
]
const review = (rules: string) => run([...reviewArgs(rules), '--format', 'json'])

/** A rule's query that never ends. */
const ENDLESS =
  "WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM t) SELECT 'x' AS terminal, 'u' AS user_id, max(i) AS n FROM t"

/**
 * A review of the example whose rule pack's query never ends, as a child process with a temporary folder of its own
 * (`scratch`), and the UTF-8 copies of the export in it at the moment of asking.
 */
function spawnReview(name: string): {child: ChildProcess; copies: () => string[]; scratch: string} {
  const scratch = join(tmp, `tmpdir-${name}`)
  mkdirSync(scratch)
  const child = spawn(process.execPath, [BIN, ...reviewArgs(pack(name, '{}', '', ENDLESS))], {
    cwd: ROOT,
    env: {...process.env, TMPDIR: scratch},
    stdio: 'ignore',
  })
  const copies = () =>
    readdirSync(scratch).flatMap((d) => readdirSync(join(scratch, d)).filter((f) => f.endsWith('.txt')))
  return {child, copies, scratch}
}

describe("a log rule's params", () => {
  it('a param the query does not use is not bound: the review runs, and the rule with it', async () => {
    const r = await review(pack('unused', '{limit: 1000000, margin: 5}', 'sum(u.n) > $limit'))
    expect(r.stderr).not.toMatch(/internal error/)
    expect(r.code).toBe(1)
    const found = JSON.parse(r.stdout).findings.filter((f: {rule: string}) => f.rule === 'mine/busy-id')
    expect(found).toEqual([])
    // The example's month still shows its incidents.
    expect(JSON.parse(r.stdout).findings.length).toBeGreaterThan(20)
  })

  it('a $name the params do not give is exit 2 at the rule, before any file is read', async () => {
    const r = await review(pack('missing', '{margin: 5}', 'sum(u.n) > $limit'))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /mine\.yaml:3:5 rule mine\/busy-id: the sql query uses \$limit, which its params do not give/,
    )
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
  })

  it('a query that compiles but not with its params is exit 2 at the rule, not an internal error', async () => {
    const sql = "SELECT 'x' AS terminal, 'y' AS user_id, 1 AS n FROM range($n)"
    const r = await review(pack('bad-param', '{n: abc}', '', sql))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /mine\.yaml:3:5 rule mine\/busy-id: the sql query does not compile with its params: .*range/,
    )
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
  })

  it('a query that does not compile is exit 2 at the rule', async () => {
    const r = await review(pack('broken', '{}', 'sum(u.no_such_column) > 1'))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/mine\.yaml:3:5 rule mine\/busy-id: the sql query does not compile: .*no_such_column/)
  })
})

describe("a log rule's query reads the review's tables and nothing else", () => {
  const csv = join(tmp, 'raw.csv')
  writeFileSync(csv, '契約名義,電話番号\n山田太郎,090-0000-0000\n')
  for (const [kind, sql] of [
    ['DROP', 'DROP TABLE usage'],
    ['COPY', `COPY usage TO '${join(tmp, 'copied.csv')}'`],
    ['ATTACH', `ATTACH '${join(tmp, 'other.db')}'`],
    ['LOAD', 'INSTALL httpfs'],
  ])
    it(`a ${kind} is exit 2 at the rule, before any file is read`, async () => {
      const r = await review(pack(`stmt-${kind}`, '{}', '', sql))
      expect(r.code).toBe(2)
      // A COPY to a file does not compile where the queries are compiled: no file may be written there.
      const why = kind === 'COPY' ? 'does not compile: Permission Error' : `must be a SELECT \\(this one is ${kind}\\)`
      expect(r.stderr).toMatch(new RegExp(`mine\\.yaml:3:5 rule mine/busy-id: the sql query ${why}`))
      expect(existsSync(join(tmp, 'copied.csv')) || existsSync(join(tmp, 'other.db'))).toBe(false)
    })

  for (const [what, sql] of [
    ['reads a file', `SELECT 'x' AS terminal, 契約名義 AS user_id, 1 AS n FROM read_csv('${csv}')`],
    ['reads a file as text', `SELECT 'x' AS terminal, content AS user_id, 1 AS n FROM read_text('${csv}')`],
  ])
    it(`a SELECT that ${what} is refused by the engine: exit 2 at the rule, no name in any output`, async () => {
      const r = await review(pack(`file-${what.replaceAll(' ', '-')}`, '{}', '', sql))
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(
        /mine\.yaml:3:5 rule mine\/busy-id: the sql query (does not compile|failed): .*(disabled|Permission)/,
      )
      expect(r.stdout + r.stderr).not.toMatch(/山田|090-0000/)
    })

  it("a query that reads a file as it compiles reads nothing: a row made the header is no name in the rule's error", async () => {
    // Compiling read_csv reads the file's header; skipping to a customer's row made that row the header.
    const sql = `SELECT COLUMNS(*), count(*) FROM read_csv('${csv}', skip = 1, header = true)`
    const r = await review(pack('file-compile', '{}', '', sql))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /mine\.yaml:3:5 rule mine\/busy-id: the sql query does not compile: .*(disabled|Permission)/,
    )
    expect(r.stdout + r.stderr).not.toMatch(/山田|090-0000/)
  })
})

describe("a log rule's query does not change the engine", () => {
  it('a table function that does (enable_logging to a file, even through query()) is exit 2 at the rule', async () => {
    const dir = join(tmp, 'engine-changing')
    mkdirSync(dir)
    const rule = (id: string, sql: string) => `  - id: mine/${id}
    severity: high
    needs: logs
    title: {en: A, ja: A}
    rationale: {en: Why, ja: 理由}
    remediation: {en: Fix, ja: 対処}
    message: {en: "{n}", ja: "{n}"}
    sql: "${sql}"
`
    // Then other rules' queries: each failed once the log was to be written, and the process aborted.
    const logging = `enable_' || 'logging(level=''trace'', storage=''file'', storage_path=''${join(dir, 'log')}'')`
    writeFileSync(
      join(dir, 'mine.yaml'),
      'pack: mine\nrules:\n' +
        rule('logging', `SELECT 'x' AS terminal, 1 AS n FROM query('SELECT * FROM ${logging}')`) +
        [1, 2, 3, 4].map((i) => rule(`count${i}`, "SELECT 'x' AS terminal, count(*) AS n FROM usage")).join(''),
    )
    const r = await run([...reviewArgs(dir), '--format', 'json'], {child: true, timeout: 60_000})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /mine\.yaml:3:5 rule mine\/logging: the sql query calls enable_logging, which a rule may not/,
    )
    expect(r.stderr).not.toMatch(/terminate|Permission/)
  })
})

describe("a log rule's query and the lines that do not parse", () => {
  it("reads nothing of them: a JSON line's first characters (a customer's name) never reach a finding", async () => {
    const [header, ...lines] = exampleDayLines()
    const keys = header.split(',')
    const json = lines.map((line, i) => {
      const row = Object.fromEntries(
        line
          .split(',')
          .map((v, j) => [keys[j], v])
          .filter(([k]) => i !== 3 || !['日時', '契約名義', '電話番号'].includes(k)),
      )
      // A line whose time does not parse, the customer's name and phone number first.
      return JSON.stringify(i === 3 ? {契約名義: '山田太郎', 電話番号: '090-0000-0000', ...row, 日時: 'garbage'} : row)
    })
    const dir = join(tmp, 'jsonl')
    mkdirSync(dir)
    writeFileSync(join(dir, 'a.jsonl'), json.join('\n') + '\n')
    const mapping = exampleLogMapping(join(dir, 'map.yaml'), join(dir, 'a.jsonl'), 'utf-8')
    writeFileSync(mapping, readFileSync(mapping, 'utf8').replace(/format: csv/, 'format: jsonl'))
    const sql = "SELECT 'nope' AS terminal, bad_sample AS user_id, 1 AS n FROM usage_all WHERE bad IS NOT NULL"
    const r = await run([
      ...['logs', 'analyze', '-i', EXAMPLE, '--logs', mapping, '--from', '2026-10-15', '--to', '2026-10-15'],
      ...['--now', EXAMPLE_NOW, '--rules', pack('bad-sample', '{}', '', sql), '--format', 'json'],
    ])
    expect(r.code).toBe(1)
    // The line is still counted and located.
    expect(JSON.parse(r.stdout).logs.files[0].first_unparseable).toEqual([`${join(dir, 'a.jsonl')}:4`])
    expect(r.stdout + r.stderr).not.toMatch(/山田|090-0000/)
  })
})

describe("a log rule's result columns", () => {
  it('a very long value is cut in the finding, without the process running out of memory', async () => {
    // 50 million characters: spread into an array of characters, they took more than this heap.
    const sql = "SELECT 'nope' AS terminal, repeat('A', 50000000) AS user_id, 1 AS n"
    const r = await run([...reviewArgs(pack('long-value', '{}', '', sql)), '--format', 'json'], {
      child: true,
      env: {NODE_OPTIONS: '--max-old-space-size=128'},
      timeout: 60_000,
    })
    expect(r.stderr).not.toMatch(/FATAL|out of memory/)
    expect(r.code).toBe(1)
    const found = JSON.parse(r.stdout).findings.filter((f: {rule: string}) => f.rule === 'mine/busy-id')
    expect(found.map((f: {message: {en: string}}) => f.message.en)).toEqual([`${'A'.repeat(120)}… used 1 times`])
  })

  it('a query that returns more than 100 000 rows is exit 2 at the rule, not gigabytes of findings', async () => {
    const sql = "SELECT 'nope' AS terminal, 'u' || i AS user_id, i AS n FROM range(100001) t(i)"
    const r = await review(pack('many-rows', '{}', '', sql))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /mine\.yaml:3:5 rule mine\/busy-id: the sql query failed: it returned more than the 100000 rows allowed/,
    )
  })

  it('a file a row names is escaped and bounded where the finding points', async () => {
    const sql = `SELECT 'nope' AS terminal, chr(27) || '[31m' || chr(10) || repeat('B', 10000) AS file, 7 AS line, 'u' AS user_id, 1 AS n`
    const r = await review(pack('file-column', '{}', '', sql))
    expect(r.code).toBe(1)
    const [found] = JSON.parse(r.stdout).findings.filter((f: {rule: string}) => f.rule === 'mine/busy-id')
    // 4096 characters: the escape, `[31m`, the newline, then the B's.
    expect(found.location).toEqual({file: `\\u001b[31m\\n${'B'.repeat(4096 - 6)}…`, line: 7, column: 1})
  })
})

describe('while the rules run', () => {
  it("no copy of the export is on disk (a review killed there leaves none of customers' names)", async () => {
    const {child, copies} = spawnReview('endless-killed')
    try {
      const start = Date.now()
      while (copies().length < 31 && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 50))
      expect(copies().length).toBeGreaterThanOrEqual(31)
      // The load over, the rule's query runs on and on.
      await new Promise((r) => setTimeout(r, 3000))
      expect(child.exitCode).toBe(null)
      expect(copies()).toEqual([])
    } finally {
      child.kill('SIGKILL')
    }
  }, 30_000)
})

describe('a review stopped by a signal', () => {
  it("leaves no copy of the export behind (its lines hold customers' names)", async () => {
    // Stopped as the copies are written (they are gone once the rules run, see above).
    const {child, copies, scratch} = spawnReview('endless')
    try {
      const ended = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      )
      const start = Date.now()
      while (copies().length === 0 && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 20))
      expect(copies().length).toBeGreaterThan(0)
      child.kill('SIGINT')
      expect(await ended).toBe('SIGINT')
      expect(readdirSync(scratch)).toEqual([])
    } finally {
      // A failed test leaves no endless review running.
      child.kill('SIGKILL')
    }
  }, 30_000)
})

describe("a log rule's query that does not end", () => {
  it('is stopped after --query-timeout seconds: exit 2 at the rule', async () => {
    const r = await run([...reviewArgs(pack('endless-timeout', '{}', '', ENDLESS)), '--query-timeout', '1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /mine\.yaml:3:5 rule mine\/busy-id: the sql query failed: it ran longer than 1 s and was stopped/,
    )
  })
})

describe("supply point ids in a rule pack's results", () => {
  // A sample under another column name, and the inventory's own ids: masked in the engine, not by the column's name.
  const sql = `SELECT 'x' AS terminal, s AS user_id, 1 AS n FROM (
      SELECT sample_sp AS s FROM usage_all WHERE sample_sp IS NOT NULL UNION SELECT id FROM supply_points)`
  const shown = async (name: string, extra: string[]) => {
    const r = await run([...reviewArgs(pack(name, '{}', '', sql)), '--format', 'json', ...extra])
    expect(r.code).toBe(1)
    return JSON.parse(r.stdout)
      .findings.filter((f: {rule: string}) => f.rule === 'mine/busy-id')
      .map((f: {message: {en: string}}) => f.message.en.replace(/ used 1 times$/, ''))
  }

  it('are masked, under any column name, whether a sample or the inventory table', async () => {
    const ids = await shown('sp-masked', [])
    expect(ids.length).toBeGreaterThan(10)
    for (const id of ids) expect(id).toMatch(/^sp:[0-9a-f]{12}$/)
  })

  it('are shown in full with --show-supply-points', async () => {
    const ids = await shown('sp-full', ['--show-supply-points'])
    expect(ids.length).toBeGreaterThan(10)
    for (const id of ids) expect(id).toMatch(/^\d{22}$/)
  })
})
