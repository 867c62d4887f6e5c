import {rmSync} from 'node:fs'
import {mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, sep} from 'node:path'

import {InputError, type Problem, RulePackError} from '../../model/errors.js'
import type {LedgerView} from '../../ledger/view.js'
import type {Finding, Inventory} from '../../model/types.js'
import {sortFindings} from '../evaluate.js'
import {BUILTIN_RULES_DIR} from '../dir.js'
import type {Rule} from '../types.js'
import {applyWaivers} from '../waivers.js'
import {dayIn} from '../../io/time.js'
import type {LogEngine} from '../../facts/logs/engine.js'
import {QueryError} from '../../facts/logs/sql.js'
import {
  enginePlans,
  type FilePlan,
  hashFile,
  planFiles,
  prepareUtf8,
  readsGzip,
  unchanged,
  type Split,
  transcode,
} from '../../facts/logs/files.js'
import {type CopyPart, PartPool} from '../../facts/logs/parts.js'
import type {FirstReads} from '../../facts/logs/prehash.js'
import {rowToFinding} from './findings.js'
import {
  loadFiles,
  loadHours,
  type Rejects,
  classifySupplyPoints,
  travelCandidates,
  USAGE_HOURS_TABLE,
  USAGE_TABLE,
} from '../../facts/logs/load.js'
import {countLines, locateLines, type Needle, type UnusableFields} from '../../facts/logs/locate.js'
import {makeMasker, type Masker} from '../../facts/logs/mask.js'
import {createTables, createUsageView} from './context.js'
import type {LogFileSummary, LogMapping, LogReviewSummary, PastReview} from '../../model/logs.js'

/** What a log review reads besides the inventory and rules. */
export interface LogReviewOptions {
  /** Log mapping files, one per source. */
  mappings: string[]
  /** Log files to read instead of the mapping's `files` (one mapping only). */
  files?: string[]
  /** First and last day of the review (inclusive), in the policy's time zone. */
  from: string
  to: string
  /** Show supply point ids in full (for the NW side); otherwise masked. */
  showSupplyPoints?: boolean
  /** Key of the supply point mask (FLEET_AUDIT_MASK_KEY). */
  maskKey?: string
  /** Engine threads and memory limit (defaults: the cores this process may use, and 512MB). */
  threads?: number
  memoryLimit?: string
  /** Up to how many supply points are looked up through an engine ENUM, not joined (see classifySupplyPoints). */
  supplyPointEnumMax?: number
  /** Up to how many pairs of day spans the travel candidates are compared in (see travelCandidates). */
  travelPairBudget?: number
  /** How long one rule's query may run, in seconds (see QUERY_TIMEOUT). */
  queryTimeout?: number
}

/** Progress of a long review, for a bar on a terminal. */
export interface LogProgress {
  bytesDone: number
  bytesTotal: number
  /** Rows read so far (exact for finished files, estimated within the current one). */
  rows: number
  file: string
}

/** I/O of a review, passed in. */
export interface LogReviewDeps {
  now: Date
  /** The hand-off ledger (removal and install days) when a database or files are given. */
  ledger?: LedgerView
  /** Reviews recorded before, from the ledger database; undefined without one (the review-gap rule then does not run). */
  past?: PastReview[]
  onProgress?: (p: LogProgress) => void
  /** The files' first reads, started when the mappings were loaded (see prehash.ts). */
  firstReads?: FirstReads
}

/** A review's findings and what it read. */
export interface LogReviewOutcome {
  findings: Finding[]
  summary: LogReviewSummary
  /** The rules that ran. */
  rules: Rule[]
  /** Declared terminals seen in the period. */
  terminalsCovered: string[]
}

/**
 * Reviews the access logs of a period: reads every file once into the engine, runs each log rule's query, and
 * turns the rows into findings (waivers applied). Bad input (a mapping naming a missing column, a rule whose query
 * does not compile) is exit 2 before any file is read in full; an unparseable line is a finding.
 */
export async function reviewLogs(
  inventory: Inventory,
  allRules: readonly Rule[],
  mappings: readonly LogMapping[],
  options: LogReviewOptions,
  deps: LogReviewDeps,
): Promise<LogReviewOutcome> {
  const tz = inventory.policy.timezone
  const rules = allRules.filter((r) => r.needs === 'logs' && (!r.ledger || deps.past !== undefined))
  const tmp = await mkdtemp(join(tmpdir(), 'fleet-audit-logs-'))
  // Stopped by a signal (Ctrl-C on a review that takes long), the process ended with the UTF-8 copies of the export
  // left in tmp: its whole lines, customers' names and phone numbers included. They go first; the signal then ends
  // the process as it would have.
  const onSignal = (signal: NodeJS.Signals) => {
    for (const s of SIGNALS) process.off(s, onSignal)
    try {
      rmSync(tmp, {recursive: true, force: true, maxRetries: 3})
    } finally {
      // Ended as the signal would have, even when the copies could not be removed.
      process.kill(process.pid, signal)
    }
  }

  for (const s of SIGNALS) process.once(s, onSignal)
  let engine: LogEngine | undefined
  try {
    const counter = {n: 0}
    const plans: {mapping: LogMapping; plan: FilePlan}[] = []
    const problems: Problem[] = []
    for (const mapping of mappings) {
      try {
        for (const plan of await planFiles(mapping, tmp, counter)) plans.push({mapping, plan})
      } catch (error) {
        if (!(error instanceof InputError)) throw error
        problems.push(...error.problems)
      }
    }

    if (problems.length > 0) throw new InputError(problems)
    // The engine's native library is loaded only when a review runs, not by every command.
    const {LogEngine} = await import('../../facts/logs/engine.js')
    engine = await LogEngine.open({
      tmpDir: tmp,
      timezone: tz,
      threads: options.threads,
      memoryLimit: options.memoryLimit,
      progress: deps.onProgress !== undefined,
    })
    const sources = mappings.map((m) => m.source)
    const schema = async (e: LogEngine, inv: Inventory) => {
      await createTables(e, {
        inventory: inv,
        ledger: deps.ledger,
        from: options.from,
        to: options.to,
        sources,
        past: deps.past ?? [],
      })
      await e.run(USAGE_TABLE)
      await e.run(USAGE_HOURS_TABLE)
      await classifySupplyPoints(e, options.supplyPointEnumMax)
      // Empty until the files are read (the rules compile against it before).
      await e.table('unparseable', UNPARSEABLE_COLUMNS, [])
      await createUsageView(e)
    }

    await schema(engine, inventory)
    // The rules' queries are compiled, before any file is read, in an engine of their own that can read no file and
    // holds the same tables, empty: compiling one reads what it names (`read_csv(…, skip = 9, header = true)` made a
    // customer's name a column name, and the error of a query that misused it showed the name). 65-80 ms with the
    // bench's 16 rules (0.1-0.15 s with the inventory's rows in its tables too).
    const sandbox = await LogEngine.open({tmpDir: join(tmp, 'sandbox'), timezone: tz, threads: 1, sandboxed: true})
    let params: Map<Rule, Params>
    try {
      const none = {companies: [], zones: [], terminals: [], people: [], retailers: [], supply_points: []}
      await schema(sandbox, {...inventory, ...none, emergency_windows: []})
      params = await checkRuleQueries(sandbox, rules)
    } finally {
      sandbox.close()
    }

    // An empty file is listed (see planFiles), not read.
    const groups = fileGroups(plans.filter(({plan}) => plan.bytes > 0))
    const summaries = await readFiles(engine, groups, plans, tz, deps.onProgress, deps.firstReads)
    await readHours(engine, groups, tz, rules, options.travelPairBudget)
    await engine.table(
      'unparseable',
      UNPARSEABLE_COLUMNS,
      summaries
        .filter((s) => s.unparseable > 0)
        .map((s) => ({
          source: s.source,
          file: s.file,
          n: s.unparseable,
          positions: s.first_unparseable.join(', '),
          first_day: s.days[0],
          last_day: s.days[1],
        })),
    )
    const masker = makeMasker(options.maskKey, options.showSupplyPoints)
    const fallback = {file: mappings[0]?.file ?? inventory.root, line: 1, column: 1}
    const findings: Finding[] = []
    // What found an unusable row in its file is not kept for the rules: a JSON line's first characters (the sample
    // of a line that does not parse) can be a customer's name and phone number, and a rule pack's query could show
    // them; so can the reader's rejects, which hold each rejected line whole (`csv_line`).
    await engine.run('UPDATE usage_all SET bad_sample = NULL WHERE bad_sample IS NOT NULL')
    for (const table of ['rejects', 'rejects_scan']) await engine.run(`DROP TABLE IF EXISTS ${table}`)
    if (!masker.full) await maskSupplyPoints(engine, masker)
    // The rules' queries read the review's tables and nothing else (see lockDown).
    await engine.lockDown()
    // Nothing reads a file after the lock: the UTF-8 copies of the export (whole lines, customers' names included) go
    // before the rules run, so that a review that ends there without cleaning up (a rule's query that does not end,
    // killed; the process aborted) leaves none of them. The engine's spill folder stays.
    for (const entry of await readdir(tmp))
      if (entry !== 'spill') await rm(join(tmp, entry), {recursive: true, force: true})
    // The terminals covered are asked beside the rules' queries, not after them. A rule's query that fails as it runs
    // (a file it may not read, a value it cannot cast) is exit 2 at the rule, as one that does not compile.
    const [coveredRows, ...results] = await engine
      .rowsEach(
        [
          {sql: `SELECT DISTINCT u.terminal FROM usage u JOIN terminals t ON t.id = u.terminal ORDER BY 1`},
          ...rules.map((rule) => ({sql: rule.sql!, params: params.get(rule)})),
        ],
        {maxRows: MAX_RULE_ROWS, timeoutMs: (options.queryTimeout ?? QUERY_TIMEOUT) * 1000},
      )
      .catch((error: unknown) => {
        const rule = error instanceof QueryError ? rules[error.index - 1] : undefined
        if (!rule) throw error
        throw new RulePackError([ruleProblem(rule, `the sql query failed: ${(error as Error).message}`)])
      })
    for (const [i, rule] of rules.entries())
      for (const row of results[i]) findings.push(rowToFinding(rule, row, {inventory, fallback}))

    const covered = coveredRows.map((r) => String(r.terminal))
    const files: LogFileSummary[] = summaries.map(({days: _days, ...s}) => s)
    const summary: LogReviewSummary = {
      from: options.from,
      to: options.to,
      timezone: tz,
      sources,
      files,
      rows: files.reduce((a, f) => a + f.rows, 0),
      in_period: files.reduce((a, f) => a + f.in_period, 0),
      unparseable: files.reduce((a, f) => a + f.unparseable, 0),
      terminals_covered: covered.length,
      supply_points: masker.full ? 'full' : 'masked',
      mask_key: masker.keyed,
    }
    const today = dayIn(deps.now, tz)
    const waived = applyWaivers(findings, {inventory, now: deps.now, today, rules: allRules}, allRules)
    return {findings: sortFindings(waived), summary, rules, terminalsCovered: covered}
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal)
    engine?.close()
    await rm(tmp, {recursive: true, force: true})
  }
}

/**
 * Supply point ids are masked in the engine's tables before the rules run, not in the rules' results: a rule pack's
 * query that showed `sample_sp` under another column name, or read `supply_points`, showed them in full. The samples
 * and the inventory's ids become their masks (the rules' `min` then picks the smallest mask, not the smallest id), and
 * the tables and the type that only looked them up (`sp_lookup`, `sp_class`, `sp_id`) go.
 */
async function maskSupplyPoints(engine: LogEngine, masker: Masker): Promise<void> {
  const ids = await engine.rows(
    'SELECT DISTINCT sample_sp AS id FROM usage_all WHERE sample_sp IS NOT NULL UNION SELECT id FROM supply_points',
  )
  await engine.table(
    'sp_masks',
    {raw: 'VARCHAR', masked: 'VARCHAR'},
    ids.map(({id}) => ({raw: String(id), masked: masker.mask(String(id))})),
  )
  await engine.run('UPDATE usage_all SET sample_sp = m.masked FROM sp_masks m WHERE usage_all.sample_sp = m.raw')
  await engine.run('UPDATE supply_points SET id = m.masked FROM sp_masks m WHERE supply_points.id = m.raw')
  for (const table of ['sp_masks', 'sp_lookup', 'sp_class']) await engine.run(`DROP TABLE IF EXISTS ${table}`)
  await engine.run('DROP TYPE IF EXISTS sp_id')
}

/**
 * The most rows (findings) one log rule's query may return. A rule pack's query returning millions took gigabytes
 * and minutes to report (a million rows: 2.2 GB and 11 s as JSON; the table took 37 s for 30 000); a query that
 * returns more is exit 2 at the rule. The built-in rules return a row per terminal, or per terminal and user id, at most.
 */
const MAX_RULE_ROWS = 100_000

/**
 * Table functions of the engine that change it rather than read it, or read memory by address: a rule's query may
 * call none. `enable_logging(storage = 'file', …)` in a rule's SELECT ran despite the locked configuration, every
 * query after it failed, and the process aborted (a native exception, exit 134).
 */
const ENGINE_CHANGING = new Set([
  'ENABLE_LOGGING',
  'DISABLE_LOGGING',
  'TRUNCATE_DUCKDB_LOGS',
  'ENABLE_PROFILING',
  'DISABLE_PROFILING',
  'ENABLE_PEG_PARSER',
  'DISABLE_PEG_PARSER',
  'CHECKPOINT',
  'FORCE_CHECKPOINT',
  'ARROW_SCAN',
  'ARROW_SCAN_DUMB',
  'JSON_EXECUTE_SERIALIZED_SQL',
])

/**
 * How long one log rule's query may run, in seconds, unless `--query-timeout` says otherwise: a rule pack's query
 * that never ends (a recursive one without a stop) hung the review. The built-in rules take well under a second each
 * at 10 M rows; a query stopped is exit 2 at the rule.
 */
const QUERY_TIMEOUT = 60

/** The signals that end a review before its end (see reviewLogs). */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

type Params = Record<string, string | number>

/** The columns of `unparseable`: per file, its unparseable lines, where the first are, and the days they fall on. */
const UNPARSEABLE_COLUMNS = {
  source: 'VARCHAR',
  file: 'VARCHAR',
  n: 'BIGINT',
  positions: 'VARCHAR',
  first_day: 'DATE',
  last_day: 'DATE',
}

/** What is wrong with a log rule's query, at the rule (exit 2). */
function ruleProblem(rule: Rule, message: string): Problem {
  return {code: 'E_SQL', message: `rule ${rule.id}: ${message}`, ...rule.source}
}

/** The first line of an error's message (the engine's own go on with candidates and context). */
function firstLine(error: unknown): string {
  return (error as Error).message.split('\n')[0]
}

/**
 * Every log rule's query must compile against the review's tables, and every `$name` it uses must be one of its
 * `params`: a broken rule is exit 2 at the rule. Returns the values to bind for each rule: the params its query uses
 * (one it declares and does not use is not bound, which the engine would refuse).
 */
async function checkRuleQueries(engine: LogEngine, rules: readonly Rule[]): Promise<Map<Rule, Params>> {
  const problems: Problem[] = []
  const bound = new Map<Rule, Params>()
  for (const rule of rules) {
    let kind: string
    let names: string[]
    try {
      ;({kind, params: names} = await engine.describe(rule.sql!))
    } catch (error) {
      problems.push(ruleProblem(rule, `the sql query does not compile: ${firstLine(error)}`))
      continue
    }

    // A rule reads; it never changes the tables the other rules read, writes, attaches or loads anything.
    if (kind !== 'SELECT') {
      problems.push(ruleProblem(rule, `the sql query must be a SELECT (this one is ${kind})`))
      continue
    }

    const given = rule.params ?? {}
    const missing = names.filter((n) => !Object.hasOwn(given, n))
    if (missing.length > 0) {
      const uses = missing.map((n) => `$${n}`).join(', ')
      problems.push(ruleProblem(rule, `the sql query uses ${uses}, which its params do not give`))
      continue
    }

    const values = Object.fromEntries(names.map((n) => [n, given[n]]))
    bound.set(rule, values)
    // A SELECT can still call a table function that changes the engine for every rule after it. Planned with its
    // params' values, a query can fail where it compiled without them (`range($n)` with a text n).
    let calls: string[]
    try {
      calls = [...(await engine.tableFunctions(rule.sql!, values))].filter((f) => ENGINE_CHANGING.has(f))
    } catch (error) {
      problems.push(ruleProblem(rule, `the sql query does not compile with its params: ${firstLine(error)}`))
      continue
    }

    if (calls.length > 0) {
      const listed = calls.map((f) => f.toLowerCase()).join(', ')
      problems.push(ruleProblem(rule, `the sql query calls ${listed}, which a rule may not`))
    }
  }

  if (problems.length > 0) throw new RulePackError(problems)
  return bound
}

/** Files that one scan reads together: the same mapping, the same header (or one Parquet file), the same compression. */
interface FileGroup {
  mapping: LogMapping
  plans: FilePlan[]
}

function fileGroups(plans: {mapping: LogMapping; plan: FilePlan}[]): FileGroup[] {
  const groups = new Map<string, FileGroup>()
  for (const {mapping, plan} of plans) {
    const key = [
      mapping.file,
      mapping.format === 'parquet' ? plan.file : (plan.header ?? []).join('\u0000'),
      plan.gzip,
    ].join('\u0001')
    const group = groups.get(key) ?? groups.set(key, {mapping, plans: []}).get(key)!
    group.plans.push(plan)
  }

  return [...groups.values()]
}

/** A rule of the packs shipped with the tool (rules/), whose queries are known; not one of a rule pack's own. */
function builtIn(rule: Rule): boolean {
  return rule.source.file.startsWith(BUILTIN_RULES_DIR + sep)
}

/**
 * The hourly use the travel rule reads (`usage_hours`), for the user ids it can flag at all (see travelCandidates):
 * the files are read a second time only when a rule that runs may read the hours and some id was used at two sites
 * within the travel window of each other (`travel_minutes` of the built-in travel rule). A rule pack's own log rule
 * may read the hours however its query is written (a table can be named in text, `query_table('usage' || '_hours')`),
 * and may mean another window by the same name: with one, every id seen at two sites is read, as before the window.
 */
async function readHours(
  engine: LogEngine,
  groups: FileGroup[],
  tz: string,
  rules: readonly Rule[],
  pairBudget?: number,
): Promise<void> {
  const readers = rules.filter((r) => !builtIn(r) || /\busage_hours\b/.test(r.sql ?? ''))
  if (readers.length === 0) return
  const windows = readers.map((r) => (builtIn(r) ? Number(r.params?.travel_minutes) : Number.NaN))
  const window = windows.every((w) => Number.isFinite(w)) ? Math.max(...windows) : undefined
  if ((await travelCandidates(engine, window, pairBudget)) === 0) return
  for (const {mapping, plans} of groups) await loadHours(engine, mapping, enginePlans(plans), tz)
}

type FileResult = LogFileSummary & {days: [string | null, string | null]}

/**
 * Reads the files into the engine, one scan per group of files that share a mapping and a header; hashes each file
 * on the way (Shift_JIS: while transcoding) or beside the engine's scan (UTF-8). Then counts, per file, rows,
 * rows in the period and unparseable lines, and locates the first of those.
 */
async function readFiles(
  engine: LogEngine,
  groups: FileGroup[],
  plans: {mapping: LogMapping; plan: FilePlan}[],
  tz: string,
  onProgress?: (p: LogProgress) => void,
  firstReads?: FirstReads,
): Promise<FileResult[]> {
  const total = plans.reduce((a, p) => a + p.plan.bytes, 0)
  let done = 0
  let rows = 0
  const rejects: Rejects = new Map()
  // Large plain files are copied in parts by several threads (see parts.ts); the threads serve all the files.
  const pool = new PartPool()
  try {
    for (const {mapping, plans: group} of groups) {
      const bytes = group.reduce((a, p) => a + p.bytes, 0)
      let groupDone = 0
      const report = () =>
        onProgress?.({bytesDone: Math.min(done + groupDone, total), bytesTotal: total, rows, file: group[0].file})
      const timer = onProgress
        ? setInterval(() => {
            const pct = engine.progress()
            if (pct >= 0) groupDone = Math.max(groupDone, Math.round((bytes * pct) / 100))
            report()
          }, 250)
        : undefined
      const split: Split = {pool, quoted: mapping.format !== 'jsonl'}
      try {
        // What the files' first reads (prehash.ts) find: whether the engine can read a file as it is (waited for
        // here), and its hash (taken up when it is needed, while the engine reads or a copy is written).
        for (const plan of group) {
          if (!firstReads || plan.gzip || mapping.format === 'parquet') continue
          if (mapping.encoding !== 'shift_jis')
            plan.readable = await firstReads.readable(plan.file, plan.bytes, plan.stamp)
          plan.sha256Ahead = firstReads.sha256(plan.file, plan.bytes, plan.stamp)
        }

        if (mapping.encoding === 'shift_jis') {
          for (const plan of group) await transcode(plan, (n) => (groupDone += n / 2), 'shift_jis', split)
          for (const [k, v] of await loadFiles(engine, mapping, enginePlans(group), tz)) rejects.set(k, v)
        } else {
          // The engine reads only valid UTF-8 with one kind of line ending (see lines.ts): a file that is not is read
          // through a cleaned copy; one that the engine still cannot read (a CRLF file with a stray CR or LF, which is
          // not checked beforehand) is copied and read again.
          for (const plan of group) await prepareUtf8(plan, false, (n) => (groupDone += n / 2), split)
          const hashing = (async () => {
            for (const plan of group) plan.sha256 ??= (await plan.sha256Ahead) ?? (await hashFile(plan.file, plan.gzip))
          })()
          let loaded: Rejects
          try {
            ;[loaded] = await Promise.all([loadFiles(engine, mapping, enginePlans(group), tz), hashing])
          } catch (error) {
            await hashing.catch(() => undefined)
            const direct = group.filter((p) => p.path === p.file)
            if (!(error instanceof InputError && /state machine/.test(error.message) && direct.length > 0)) throw error
            for (const plan of direct) await prepareUtf8(plan, true, undefined, split)
            loaded = await loadFiles(engine, mapping, enginePlans(group), tz)
          }

          for (const [k, v] of loaded) rejects.set(k, v)
          for (const plan of group) if (plan.path === plan.file) await unchanged(plan)
        }
      } finally {
        if (timer) clearInterval(timer)
      }

      done += bytes
      rows = Number((await engine.rows('SELECT coalesce(sum(n), 0) AS n FROM usage_all'))[0].n)
      report()
    }
  } finally {
    await pool.close()
  }

  // An empty file is listed as empty only if it still is.
  for (const {plan} of plans) if (plan.bytes === 0) await unchanged(plan)
  return summarize(engine, plans, rejects)
}

/** The files the engine read for a plan (its copy's parts, see parts.ts), each with what to add to its lines. */
function copies(plan: FilePlan): CopyPart[] {
  return plan.parts ?? [{path: plan.path, shift: 0}]
}

/** How many unparseable lines of a file are shown (the first in the file). */
const SHOWN = 5

/**
 * How many different samples of unusable rows are looked for in a file (see `locate`). The scan stops at the SHOWN-th
 * line found, never later than when fewer samples were looked for; only a sample that is never found makes it read
 * on, and the cost of each line read grows with the samples.
 */
const NEEDLES = 20

/** Per file: rows, rows in the period and unparseable lines, located at the file's own lines. */
async function summarize(
  engine: LogEngine,
  plans: {mapping: LogMapping; plan: FilePlan}[],
  rejects: Rejects,
): Promise<FileResult[]> {
  const stats = new Map(
    (
      await engine.rows(
        `SELECT file, coalesce(sum(n), 0) AS rows, coalesce(sum(n) FILTER (WHERE bad IS NOT NULL), 0) AS bad,
           coalesce(sum(n) FILTER (WHERE bad IS NULL AND day BETWEEN (SELECT from_day FROM review) AND (SELECT to_day FROM review)), 0) AS in_period,
           CAST(min(day) AS VARCHAR) AS first_day, CAST(max(day) AS VARCHAR) AS last_day
         FROM usage_all GROUP BY file`,
      )
    ).map((r) => [String(r.file), r]),
  )
  await engine.table(
    'file_names',
    {path: 'VARCHAR', file: 'VARCHAR'},
    plans.flatMap(({plan}) => copies(plan).map((c) => ({path: c.path, file: plan.file}))),
  )
  await engine.run(`UPDATE usage_all SET file = n.file FROM file_names n WHERE usage_all.file = n.path`)
  const out: FileResult[] = []
  for (const {mapping, plan} of plans) {
    const parts = copies(plan)
    const st = {rows: 0, bad: 0, in_period: 0, first_day: null as string | null, last_day: null as string | null}
    const rejected = {lines: [] as number[], count: 0}
    for (const {path, shift} of parts) {
      const s = stats.get(path)
      if (s) {
        st.rows += Number(s.rows ?? 0)
        st.bad += Number(s.bad ?? 0)
        st.in_period += Number(s.in_period ?? 0)
        const first = (s.first_day as string | null) ?? null
        const last = (s.last_day as string | null) ?? null
        if (first !== null && (st.first_day === null || first < st.first_day)) st.first_day = first
        if (last !== null && (st.last_day === null || last > st.last_day)) st.last_day = last
      }

      const r = rejects.get(path)
      if (r) {
        rejected.count += r.count
        rejected.lines.push(...r.lines.map((line) => line + shift))
      }
    }

    const positions = [...rejected.lines]
    // A Parquet file has no lines: searching its bytes as text would show a line of the binary file, so its unusable
    // rows are counted and the file itself is shown.
    if (st.bad > 0 && mapping.format !== 'parquet') {
      // A row unusable for an empty field (time, terminal, user, action) is looked for with that field empty, and one
      // unusable for its record count with that count, so that a good row with the same time is not shown in its
      // place; a row whose sample is empty (the reader typed its time, or the time was empty) is found by that field
      // alone. A JSON line that is not JSON is looked for among the lines that are not, so that a good line that
      // starts the same is not shown in its place. Up to NEEDLES different samples are looked for, and the scan stops
      // at the fifth line found: the first five in the file.
      const where = unusableFields(mapping, plan)
      const needles = (
        await engine.rows(
          `SELECT text, why, sum(n) AS n FROM (
             SELECT coalesce(bad_sample, '') AS text, n,
               CASE WHEN bad IN ('terminal', 'user', 'action') OR (bad = 'time' AND coalesce(bad_sample, '') = '') THEN 'empty'
                 WHEN bad = 'records' THEN 'records' WHEN bad = 'json' THEN 'json' END AS why
             FROM usage_all WHERE file = $file AND bad IS NOT NULL)
           GROUP BY ALL ORDER BY ALL LIMIT ${NEEDLES}`,
          {file: plan.file},
        )
      ).flatMap((r): Needle[] => {
        const text = String(r.text)
        // A count is checked in the line only when the count is mapped (else such a row has no count to be bad).
        const why = (r.why ?? undefined) as Needle['mark']
        const mark = why === 'records' && where.records === undefined ? undefined : why
        // Nothing to find such a row by: the file itself is shown.
        if (text === '' && mark !== 'empty' && mark !== 'records') return []
        // A sample stands for the rows of a group (see `loadFiles`), only one of them with that text, but every row with
        // an empty sample is found by its field.
        return [{text, mark, want: text === '' ? Math.min(SHOWN, Number(r.n)) : 1}]
      })
      positions.push(...(await locate(plan, parts, needles, where)))
    }

    // Lines emptied in a cleaned copy were never read by the engine: counted and located here.
    const blanked = plan.blanked ?? 0
    positions.push(...plan.invalidLines)
    // A quote that opens a field and is never closed (csv, tsv) makes the engine read the lines after it into that
    // field (up to 2 MiB of them) and reject one line for all; so does an emptied line that held a quoted field's
    // closing quote. So when a CSV or TSV file had a line rejected, or lines emptied, the lines that became no row, no
    // reject and no emptied line (beyond the header) are counted as unparseable too: the review of those days is
    // incomplete, never silently short. (Records that legitimately span lines in such a file are then over-counted,
    // on the safe side; a file with no reject and nothing emptied is not counted.) A file the engine read itself has
    // its lines counted here, only then.
    const suspect = blanked > 0 || (mapping.format !== 'jsonl' && rejected.count > 0)
    if (suspect && plan.lines === undefined && plan.path === plan.file && mapping.format !== 'parquet')
      plan.lines = await countLines(plan.file, readsGzip(plan))
    const lost =
      suspect && plan.lines !== undefined ? Math.max(0, plan.lines - 1 - blanked - st.rows - rejected.count) : 0
    const unparseable = st.bad + rejected.count + blanked + lost
    const first = [...new Set(positions)]
      .sort((a, b) => a - b)
      .slice(0, SHOWN)
      .map((line) => `${plan.file}:${line}`)
    if (unparseable > 0 && first.length === 0) first.push(plan.file)
    out.push({
      source: mapping.source,
      file: plan.file,
      sha256: plan.sha256 ?? '',
      bytes: plan.bytes,
      rows: st.rows + rejected.count + blanked + lost,
      in_period: st.in_period,
      unparseable,
      first_unparseable: first,
      days: [st.first_day, st.last_day],
    })
  }

  return out
}

/**
 * Where an unusable row shows why (see UnusableFields): the header columns (csv, tsv) or keys (jsonl) of time,
 * terminal, user and action, rather than any empty field (an export leaves unmapped columns empty on good rows), and of
 * the record count. (A Parquet file has no lines to look in.)
 */
function unusableFields(mapping: LogMapping, plan: FilePlan): UnusableFields {
  const fields = (['time', 'terminal', 'user', 'action'] as const).flatMap((f) => mapping.fields[f] ?? [])
  const records = mapping.fields.records
  if (mapping.format === 'jsonl') return {keys: fields, records}
  const header = plan.header ?? []
  const columns = header.flatMap((h, i) => (fields.includes(h) ? [i] : []))
  const at = records === undefined ? -1 : header.indexOf(records)
  return {columns, delimiter: mapping.delimiter, records: at >= 0 ? at : undefined}
}

/**
 * The first lines (up to SHOWN) of the needles (see `locateLines`) in the files the engine read for a plan, as lines of
 * the plan's file.
 */
async function locate(plan: FilePlan, parts: CopyPart[], needles: Needle[], where: UnusableFields): Promise<number[]> {
  const found: number[] = []
  let open = needles
  for (const {path, shift} of parts) {
    if (open.length === 0 || found.length >= SHOWN) break
    const lines = await locateLines(path, readsGzip(plan, path), open, where, SHOWN - found.length)
    for (const ls of lines.values()) found.push(...ls.map((line) => line + shift))
    open = open.flatMap((w) => {
      const want = w.want - lines.get(w)!.length
      return want > 0 ? [{...w, want}] : []
    })
  }

  return found
}
