import {InputError} from '../../model/errors.js'
import type {LogEngine} from './engine.js'
import {ident, literal} from './sql.js'
import {type FilePlan, readsGzip} from './files.js'
import {MAX_LINE} from './lines.js'
import {linesAt} from './locate.js'
import {columnProblem} from './mapping.js'
import {LOG_FIELDS, type LogField, type LogMapping, MAX_RECORDS} from '../../model/logs.js'

/** Longest value kept of any logged field: a hostile or broken log cannot make a report or the engine balloon. */
export const MAX_FIELD = 200
/**
 * The size of the engine's read buffers (its default is 32 MiB). Each buffer is fresh memory, and on this kind of VM
 * every first touch of a page is a fault the kernel pays for: at 10 M rows (1 GB), 4 MiB buffers took the load from
 * about 130,000 page faults and 2.7 s of system time to about 60,000 and 1.2 s, and its wall time by about a quarter
 * (the load statement alone, three runs each, interleaved). With buffers this small DuckDB 1.5 drops some lines over
 * its longest line without a reject, so none reaches it: a longer line is emptied in the cleaned copy (see
 * `longLine` and `newline` in lines.ts), and a plain file with one is read through that copy.
 */
export const READ_BUFFER = 4 << 20

/**
 * The facts the review keeps: log rows aggregated to one row per source, file, terminal, user and local day (and
 * logged setting, when it is neither nw nor retail), with counts, records and the first time of each kind of use the
 * rules ask about (by logged setting; competitors' customers shown unmasked; exports of them). Times are local times
 * of the policy's zone. One pass over the files builds it; every rule reads it. A month of millions of rows becomes a table of terminals × users × days,
 * whatever the rows per day, while first and last times stay exact (the boundary rules compare those).
 *
 * Rows that do not parse (`bad`) stay one row per hour, terminal and user, as they are counted and located per file.
 */
export const USAGE_TABLE = `CREATE TABLE usage_all (
  source VARCHAR, file VARCHAR, bad VARCHAR, bad_sample VARCHAR,
  day DATE, terminal VARCHAR, user_id VARCHAR,
  n BIGINT, records BIGINT, activity BIGINT, first_at TIMESTAMP, last_at TIMESTAMP,
  nw_n BIGINT, nw_first_at TIMESTAMP, retail_n BIGINT, retail_first_at TIMESTAMP,
  other_setting VARCHAR, other_n BIGINT, other_first_at TIMESTAMP, unset_n BIGINT, unset_first_at TIMESTAMP,
  shown_n BIGINT, shown_records BIGINT, shown_first_at TIMESTAMP, sample_sp VARCHAR, fields VARCHAR,
  export_n BIGINT, export_records BIGINT, export_first_at TIMESTAMP
)`

/**
 * Use by the hour, for the user ids the travel rule can flag: seen at two or more sites, within the travel window of
 * each other (see travelCandidates). Built by a second read of the files that keeps only those ids; a month in which
 * no id came near two sites does not need it.
 */
export const USAGE_HOURS_TABLE = `CREATE TABLE usage_hours (source VARCHAR, user_id VARCHAR, terminal VARCHAR, hour TIMESTAMP, first_at TIMESTAMP, last_at TIMESTAMP)`

/** Lines the reader itself rejected (wrong column count, invalid bytes, over-long lines), by engine path. */
export type Rejects = Map<string, {lines: number[]; count: number}>

/** The first and last day a period without a start or an end is given (the engine's DATE range, in practice). */
export const FIRST_DAY = '0001-01-01'
export const LAST_DAY = '9999-12-31'

/**
 * Up to this many supply points, a row's supply point is looked up in an engine ENUM; more are joined row by row.
 * Making the ENUM and checking it costs about 3.5 µs per supply point (about 3.5 s for a million), the join's hash
 * table a tenth of that, while the lookup saves about 0.05 µs per log row: at 10,000 supply points the two break
 * even at about a million rows, and a month of a utility's logs is several times that.
 */
export const SUPPLY_POINT_ENUM_MAX = 10_000

/**
 * Whose customer a supply point is, made cheap to ask of every log row. A row's supply point is looked up in a type
 * of the engine (an ENUM: one hash lookup that yields a small integer) instead of joining ten million rows to the
 * supply points, which cost 0.4-0.7 s of the 9-10 s of CPU a review of 10 M rows of bench/logs.mjs takes. The ids are
 * ordered by class, so that a row's class is a comparison of its code:
 * - 0: a competitor's customer on every day (every period's retailer is another's; a day without a period is
 *   treated as a competitor's too, as an unknown supply point is);
 * - 1: the own retailer's customer on every day (one period, without start or end);
 * - 2: anything else (a customer who switched, or own for some days only). Their rows are kept apart in the first
 *   aggregation (by supply point and day) and resolved against `sp_periods` after it, on a few groups rather than on
 *   every row (see `loadFiles`).
 * Retailers are ordered own first, for logs that name a row's retailer. `lookup_bounds` holds where the classes end,
 * or `by_enum` false when there are more than `enumMax` supply points (then rows are joined to `sp_lookup`).
 */
export async function classifySupplyPoints(engine: LogEngine, enumMax = SUPPLY_POINT_ENUM_MAX): Promise<void> {
  await engine.run(`CREATE TABLE sp_lookup AS
    SELECT s.id, s.from_day, s.to_day, s.retailer, coalesce(NOT rt.own, true) AS competitor FROM supply_points s LEFT JOIN retailers rt ON rt.id = s.retailer`)
  const [{n}] = await engine.rows('SELECT count(DISTINCT id) AS n FROM sp_lookup')
  if (Number(n) > enumMax) {
    await engine.run('CREATE TABLE sp_periods (code UINTEGER, from_day DATE, to_day DATE, competitor BOOLEAN)')
    await engine.run('CREATE TABLE lookup_bounds AS SELECT false AS by_enum, 0 AS comp, 0 AS fixed, 0 AS own_retailers')
    return
  }

  for (const sql of [
    `CREATE TABLE sp_class AS
       SELECT id, CASE WHEN bool_and(competitor) THEN 0
         WHEN count(*) = 1 AND NOT bool_or(competitor) AND min(from_day) = DATE '${FIRST_DAY}' AND max(to_day) = DATE '${LAST_DAY}' THEN 1
         ELSE 2 END AS cls
       FROM sp_lookup GROUP BY id`,
    'CREATE TYPE sp_id AS ENUM (SELECT id FROM sp_class ORDER BY cls, id)',
    'CREATE TYPE retailer_id AS ENUM (SELECT id FROM retailers ORDER BY NOT own, id)',
    `CREATE TABLE sp_periods AS
       SELECT enum_code(CAST(l.id AS sp_id)) AS code, l.from_day, l.to_day, l.competitor FROM sp_lookup l JOIN sp_class c USING (id) WHERE c.cls > 0`,
    `CREATE TABLE lookup_bounds AS SELECT true AS by_enum,
       (SELECT count(*) FROM sp_class WHERE cls = 0) AS comp, (SELECT count(*) FROM sp_class WHERE cls < 2) AS fixed,
       (SELECT count(*) FROM retailers WHERE own) AS own_retailers`,
  ])
    await engine.run(sql)
  // The classes are code ranges only if the engine kept the order it was given: checked, never assumed.
  const [check] = await engine.rows(`SELECT
      (SELECT count(*) FROM (SELECT cls, enum_code(CAST(id AS sp_id)) AS code FROM sp_class) WHERE (cls = 0) <> (code < b.comp) OR (cls < 2) <> (code < b.fixed))
      + (SELECT count(*) FROM retailers WHERE own <> (enum_code(CAST(id AS retailer_id)) < b.own_retailers)) AS wrong
    FROM lookup_bounds b`)
  if (check.wrong !== 0) throw new Error("the engine did not keep the order of the supply points' classes")
}

/** Where the classes of `classifySupplyPoints` end: codes below `comp` are class 0, below `fixed` class 0 or 1. */
interface LookupBounds {
  byEnum: boolean
  comp: number
  fixed: number
  ownRetailers: number
}

async function lookupBounds(engine: LogEngine): Promise<LookupBounds> {
  const [b] = await engine.rows('SELECT by_enum, comp, fixed, own_retailers FROM lookup_bounds')
  return {
    byEnum: b.by_enum === true,
    comp: Number(b.comp),
    fixed: Number(b.fixed),
    ownRetailers: Number(b.own_retailers),
  }
}

/**
 * The files' rows as a relation `m`, parsed and classified but not aggregated: local time `lt`, terminal, user,
 * setting and action in the canonical words, supply point, fields shown, records, whether the customer is a
 * competitor's, and `badk` (why the row does not parse: 0 it parses, else the 1-based index in BAD_KINDS). `rejects`: whether the reader records the lines it
 * cannot split (the first read does; the filtered second read skips the same lines without recording them again).
 * `sampled`: whether an unparseable row carries text to find it by (the raw time, or a JSON line); a row the reader
 * typed itself has none (its sample is '').
 */
async function rowsSql(
  engine: LogEngine,
  mapping: LogMapping,
  plans: readonly FilePlan[],
  timezone: string,
  rejects: boolean,
): Promise<{sql: string; sampled: boolean}> {
  const {sql: source, time} = await sourceSql(engine, mapping, plans, rejects)
  const sampled = time === 'text' || mapping.format === 'jsonl'
  const f = (field: LogField) => (mapping.fields[field] === undefined ? 'NULL' : `r.${ident(`f_${field}`)}`)
  const typedRecords = mapping.format === 'csv' || mapping.format === 'tsv'
  const retailer = mapping.fields.retailer !== undefined
  const b = await lookupBounds(engine)
  // Whose customer a row's supply point is, as `competitor` in `c` (see classifySupplyPoints), asked only for the rows
  // whose customer matters: fields shown unmasked, or an export.
  const lookup = b.byEnum
    ? `
    c0 AS (
      SELECT q.*, enum_code(CASE WHEN q.sp IS NOT NULL AND (q.unmasked IS NOT NULL OR q.ak = 1) THEN TRY_CAST(q.sp AS sp_id) END) AS spc
        ${retailer ? ', enum_code(CASE WHEN q.retailer IS NOT NULL AND (q.unmasked IS NOT NULL OR q.ak = 1) THEN TRY_CAST(q.retailer AS retailer_id) END) AS rtc' : ''}
      FROM q
    ),
    c AS (
      -- A logged retailer decides; else the supply point's class. NULL for a class-2 supply point (or one of class 1 on
      -- a day outside its period): pending until after the first aggregation (see loadFiles).
      SELECT c0.*,
        CASE WHEN sp IS NULL THEN NULL ${retailer ? `WHEN retailer IS NOT NULL THEN coalesce(rtc >= ${b.ownRetailers}, true) ` : ''}WHEN spc IS NULL OR spc < ${b.comp} THEN true
          WHEN spc < ${b.fixed} AND day BETWEEN DATE '${FIRST_DAY}' AND DATE '${LAST_DAY}' THEN false END AS competitor
      FROM c0
    ),`
    : // More supply points than SUPPLY_POINT_ENUM_MAX: an equality join on the id (a hash join, built on the supply
      // points); nothing is pending.
      `
    c AS (
      SELECT q.*, CAST(NULL AS UINTEGER) AS spc,
        CASE WHEN sp IS NULL THEN NULL ELSE ${retailer ? 'coalesce(NOT rt.own, true)' : 'coalesce(s.competitor, true)'} END AS competitor
      FROM q
      LEFT JOIN sp_lookup s ON s.id = CASE WHEN q.unmasked IS NOT NULL OR q.ak = 1 THEN q.sp END AND q.day BETWEEN s.from_day AND s.to_day
      ${retailer ? 'LEFT JOIN retailers rt ON rt.id = coalesce(q.retailer, s.retailer)' : ''}
    ),`
  const sql = `
    r AS (${source}),
    p AS (
      SELECT ${localTime(mapping, f('time'), time, timezone)} AS lt,
        nullif(${f('terminal')}, '') AS terminal, nullif(${f('user')}, '') AS user_id,
        nullif(${f('setting')}, '') AS setting_raw, nullif(${f('action')}, '') AS action_raw,
        nullif(${f('supply_point')}, '') AS sp, nullif(${f('unmasked')}, '') AS unmasked,
        ${typedRecords ? `${f('records')} AS nrec, false AS bad_records` : `try_cast(nullif(${f('records')}, '') AS BIGINT) AS nrec, nullif(${f('records')}, '') IS NOT NULL AND coalesce(try_cast(nullif(${f('records')}, '') AS BIGINT) < 0, true) AS bad_records`},
        ${retailer ? `nullif(${f('retailer')}, '') AS retailer,` : ''}
        ${time === 'text' ? f('time') : 'NULL'} AS time_raw, ${mapping.format === 'jsonl' ? 'r.ok' : 'true'} AS ok, ${mapping.format === 'jsonl' ? 'r.line_raw' : 'NULL'} AS line_raw,
        r.filename AS r_file
      FROM r
    ),
    q AS (
      SELECT p.*, CAST(lt AS DATE) AS day, ${actionKind(mapping)} AS ak,
        CASE WHEN NOT ok THEN 1 WHEN lt IS NULL THEN 2 WHEN terminal IS NULL THEN 3
          WHEN user_id IS NULL THEN 4 WHEN action_raw IS NULL THEN 5 WHEN bad_records OR nrec < 0 OR nrec > ${MAX_RECORDS} THEN 6
          ELSE 0 END AS badk
      FROM p
    ),
    ${lookup}
    m AS (
      SELECT c.*, ${settingKind(mapping)} AS sk,
        unmasked IS NOT NULL AND competitor IS NOT FALSE AS shown_comp, ak = 1 AND competitor IS NOT FALSE AS export_comp,
        -- An unusable count (see badk) counts as 1, so that no sum overflows.
        CASE WHEN nrec BETWEEN 0 AND ${MAX_RECORDS} THEN nrec ELSE 1 END AS recs
      FROM c
    )`
  return {sql, sampled}
}

/** Why a row does not parse, as `usage_all.bad` says it; `badk` (see rowsSql) is the 1-based index here. */
const BAD_KINDS = ['json', 'time', 'terminal', 'user', 'action', 'records'] as const

/** A value kept to `n` characters: `left` counts characters, so a value of at most `n` bytes is kept as it is. */
function bounded(col: string, n: number): string {
  return `CASE WHEN strlen(${col}) <= ${n} THEN ${col} ELSE left(${col}, ${n}) END`
}

/**
 * Runs one statement with the join of log rows to supply points built on the supply points: the engine cannot
 * estimate a file's rows and would otherwise build the hash table on the log rows (all of them, in memory).
 */
async function withSmallBuildSide(engine: LogEngine, sql: string): Promise<void> {
  await engine.run(`SET disabled_optimizers = 'build_side_probe_side'`)
  try {
    await engine.run(sql)
  } finally {
    await engine.run('RESET disabled_optimizers')
  }
}

/**
 * Reads files of one mapping that share a header into `usage_all`, in one scan and one aggregation. Every value is
 * read as text and parsed in SQL (or typed by the reader, whose rejects have line numbers), so a bad time, count or
 * JSON line becomes a counted row (`bad`), never an aborted review. `file` holds the engine's path (see `renameFiles`).
 */
export async function loadFiles(
  engine: LogEngine,
  mapping: LogMapping,
  plans: readonly FilePlan[],
  timezone: string,
): Promise<Rejects> {
  const {sql: rows, sampled} = await rowsSql(engine, mapping, plans, timezone, true)
  const at = (col: string) => `CASE WHEN bad IS NULL THEN ${col} END`
  const file = plans.length === 1 ? '' : 'r_file, '
  // Two aggregations. The first reads every row into narrow groups: the day's keys plus the row's kind (logged
  // setting, competitor data shown, exported, a view/search/print/export, why it does not parse) with a count,
  // records, first and last time and samples. The second folds a day's kinds into one row with the counts and first
  // times per kind. One wide aggregation with a filtered aggregate per kind did the same in one step, but each row then
  // updated some twenty states spread over a group's row, and at a few hundred thousand groups that is memory traffic
  // on every row: the two steps took about a fifth less CPU for the whole statement at 1 M and 3 M rows of
  // bench/logs.mjs. The narrow groups are at most a few per day, terminal and user, whatever the rows per day.
  // Their keys are few, because the engine hashes and compares every key column of every row: the kind is one small
  // integer (bits 0-1 the logged setting, 2 competitor data shown, 3 exported, 4 a view/search/print/export, 5-7
  // `badk`), and the day and an unparseable row's hour share one key (`tkey`: the day for a row that parses, the
  // hour for one that does not). Eleven key columns (a text `bad`, the hour, the day, four flags, ...) became five,
  // which cachegrind counted as 18% fewer first-level data-cache misses and 1.4% fewer instructions for the statement
  // (about 3% of its cycles) at the row density of 10 M rows; the reader, which types every field, is three quarters.
  // Unparseable rows keep their hour, terminal and user as keys, so their samples (which locate them in the file) are
  // what they always were.
  // What an unusable row is found by in its file (see `locate` in review.ts): a JSON line's first characters, else the
  // raw time.
  const sample = mapping.format === 'jsonl' ? 'line_raw' : "coalesce(time_raw, '')"
  const badName = `CASE kind // 32 ${BAD_KINDS.map((b, i) => `WHEN ${i + 1} THEN ${literal(b)}`).join(' ')} END`
  const sql = `
    INSERT INTO usage_all
    WITH ${rows},
    k AS (
      SELECT ${file}CASE WHEN badk = 0 THEN CAST(day AS TIMESTAMP) ELSE date_trunc('hour', lt) END AS tkey,
        terminal, user_id, CASE WHEN badk = 0 AND sk = 3 THEN left(setting_raw, 40) END AS other_key,
        CAST(sk + CASE WHEN shown_comp THEN 4 ELSE 0 END + CASE WHEN export_comp THEN 8 ELSE 0 END
          + CASE WHEN ak >= 1 THEN 16 ELSE 0 END + 32 * badk AS UTINYINT) AS kind,
        CASE WHEN competitor IS NULL THEN spc END AS pending_sp, count(*) AS n, sum(recs) AS recs, min(lt) AS first_lt, max(lt) AS last_lt,
        min(sp) FILTER (WHERE shown_comp) AS sample_sp, min(unmasked) FILTER (WHERE shown_comp) AS fields
        ${sampled ? `, min(${sample}) FILTER (WHERE badk > 0) AS bad_sample` : ''}
      FROM m GROUP BY ALL
    ),
    j AS (
      -- The pending supply points' groups resolved on their day: an own customer's on that day is not a competitor's
      -- (no more shown or exported competitor data, no sample).
      SELECT k.* EXCLUDE (pending_sp, kind, sample_sp, fields),
        CASE WHEN x.competitor IS FALSE THEN CAST(kind & 243 AS UTINYINT) ELSE kind END AS kind,
        CASE WHEN x.competitor IS NOT FALSE THEN sample_sp END AS sample_sp,
        CASE WHEN x.competitor IS NOT FALSE THEN fields END AS fields
      FROM k LEFT JOIN sp_periods x ON x.code = k.pending_sp AND CAST(k.tkey AS DATE) BETWEEN x.from_day AND x.to_day
    ),
    g AS (
      SELECT ${file}${badName} AS bad, tkey, terminal, user_id, other_key,
        sum(n) AS n, sum(recs) AS records, sum(recs) FILTER (WHERE kind & 16 = 16) AS activity, max(last_lt) AS last_lt,
        sum(n) FILTER (WHERE kind & 3 = 1) AS nw_n, min(first_lt) FILTER (WHERE kind & 3 = 1) AS nw_first,
        sum(n) FILTER (WHERE kind & 3 = 2) AS retail_n, min(first_lt) FILTER (WHERE kind & 3 = 2) AS retail_first,
        sum(n) FILTER (WHERE kind & 3 = 3) AS other_n, min(first_lt) FILTER (WHERE kind & 3 = 3) AS other_first,
        min(first_lt) FILTER (WHERE kind & 3 = 0) AS unset_first,
        sum(n) FILTER (WHERE kind & 4 = 4) AS shown_n, sum(recs) FILTER (WHERE kind & 4 = 4) AS shown_records, min(first_lt) FILTER (WHERE kind & 4 = 4) AS shown_first,
        min(sample_sp) AS sample_sp, min(fields) AS fields,
        sum(n) FILTER (WHERE kind & 8 = 8) AS export_n, sum(recs) FILTER (WHERE kind & 8 = 8) AS export_records, min(first_lt) FILTER (WHERE kind & 8 = 8) AS export_first,
        ${sampled ? 'min(bad_sample)' : "CASE WHEN kind // 32 > 0 THEN '' END"} AS bad_sample
      FROM j GROUP BY ${file}tkey, terminal, user_id, other_key, kind // 32
    )
    SELECT ${literal(mapping.source)}, ${plans.length === 1 ? literal(plans[0].path) : 'r_file'}, bad, ${bounded('bad_sample', MAX_FIELD)},
      ${at('CAST(tkey AS DATE)')}, ${at(bounded('terminal', MAX_FIELD))}, ${at(bounded('user_id', MAX_FIELD))},
      n, records, coalesce(activity, 0), ${at('least(nw_first, retail_first, other_first, unset_first)')}, ${at('last_lt')},
      coalesce(nw_n, 0), ${at('nw_first')}, coalesce(retail_n, 0), ${at('retail_first')}, ${bounded('other_key', 40)}, coalesce(other_n, 0), ${at('other_first')},
      n - coalesce(nw_n, 0) - coalesce(retail_n, 0) - coalesce(other_n, 0), ${at('unset_first')},
      coalesce(shown_n, 0), coalesce(shown_records, 0), ${at('shown_first')}, ${bounded('sample_sp', MAX_FIELD)}, ${bounded('fields', MAX_FIELD)},
      coalesce(export_n, 0), coalesce(export_records, 0), ${at('export_first')}
    FROM g`
  try {
    await withSmallBuildSide(engine, sql)
  } catch (error) {
    throw readError(error, plans)
  }

  const out: Rejects = new Map()
  if (mapping.format === 'parquet') return out
  // The first rejected lines by their byte offsets (see `linesAt`), the engine's line number where it gives none.
  // The offset of the error, less one, is in the bad line: the line's own offset points at the line before for an
  // unclosed quote, and the error's is just past the line's end for missing columns. A row's first field has its
  // error at the line's start (then the line's offset).
  // One reject per line (a line with two bad fields is one line), at the first of its errors.
  const offset = `coalesce(CASE WHEN e.byte_position > e.line_byte_position THEN e.byte_position - 1 END, e.line_byte_position, -e.line)`
  const rejected = await engine.rows(
    `SELECT path, count(*) AS n, list(o ORDER BY o)[1:5] AS at
     FROM (SELECT s.file_path AS path, coalesce(e.line_byte_position, -e.line) AS k, min(${offset}) AS o
           FROM rejects e JOIN rejects_scan s USING (scan_id, file_id) GROUP BY ALL)
     GROUP BY path`,
  )
  for (const r of rejected) {
    const path = String(r.path)
    const at = String(r.at ?? '')
      .replaceAll(/[[\]\s]/g, '')
      .split(',')
      .filter(Boolean)
      .map(Number)
    const plan = plans.find((p) => p.path === path)
    const offsets = await linesAt(
      path,
      plan !== undefined && readsGzip(plan),
      at.filter((a) => a >= 0),
    )
    out.set(path, {
      count: Number(r.n),
      lines: at.map((a) => (a >= 0 ? (offsets.get(a) ?? 0) : -a)).filter((l) => l > 0),
    })
  }

  return out
}

/**
 * Above this many pairs of day spans to compare (the sum over the ids seen at two sites of their spans squared), every
 * id seen at two sites is a travel candidate: a month in which many ids are at many sites every day is not compared
 * pair by pair (that costs more than the hours' second read it could save).
 */
const TRAVEL_PAIR_BUDGET = 20_000_000

/**
 * Makes `travel_users`: the user ids whose hours the rules need (see `loadHours`), and returns how many there are.
 * An id is needed only when it was used on declared terminals at two or more sites in the period; every other id
 * stayed at one site, whatever the window. Given the travel window (`windowMinutes`, the longest of the rules that
 * read the hours), an id is needed only when two of its day spans at different sites (its first and last use at a
 * site on a day, from `usage`) come within the window of each other: uses closer in time than the window lie in
 * spans that are at least as close, so no id the rule could flag is left out, while an id that was at one site on
 * Monday and at another on Tuesday, or hours apart, costs no second read of the files. Without a window (a rule reads
 * the hours and names none), or over `budget` pairs, every id seen at two sites is needed.
 */
export async function travelCandidates(
  engine: LogEngine,
  windowMinutes: number | undefined,
  budget = TRAVEL_PAIR_BUDGET,
): Promise<number> {
  await engine.run(`CREATE TABLE travel_spans AS
    WITH h AS (
      SELECT u.user_id, t.site, u.day, min(u.first_at) AS a, max(u.last_at) AS b
      FROM usage u JOIN terminals t ON t.id = u.terminal GROUP BY ALL
    ), multi AS (SELECT user_id, count(*) AS n FROM h GROUP BY user_id HAVING count(DISTINCT site) > 1)
    SELECT h.*, multi.n FROM h JOIN multi USING (user_id)`)
  const [{pairs}] = await engine.rows(
    'SELECT coalesce(sum(n * n), 0) AS pairs FROM (SELECT DISTINCT user_id, n FROM travel_spans)',
  )
  const window =
    windowMinutes === undefined || Number(pairs) > budget ? undefined : Math.max(0, Math.ceil(windowMinutes))
  await engine.run(
    window === undefined
      ? 'CREATE TABLE travel_users AS SELECT DISTINCT user_id FROM travel_spans'
      : `CREATE TABLE travel_users AS SELECT DISTINCT x.user_id FROM travel_spans x JOIN travel_spans y
           ON x.user_id = y.user_id AND x.site <> y.site AND y.a >= x.a AND y.a <= x.b + to_minutes(${window})`,
  )
  await engine.run('DROP TABLE travel_spans')
  return Number((await engine.rows('SELECT count(*) AS n FROM travel_users'))[0].n)
}

/**
 * Reads the files of one mapping again, keeping only the period's parsed rows of the given user ids (a table
 * `travel_users`), by user, terminal and local hour into `usage_hours`.
 */
export async function loadHours(
  engine: LogEngine,
  mapping: LogMapping,
  plans: readonly FilePlan[],
  timezone: string,
): Promise<void> {
  const {sql: rows} = await rowsSql(engine, mapping, plans, timezone, false)
  const sql = `
    INSERT INTO usage_hours
    WITH ${rows}
    SELECT ${literal(mapping.source)}, left(m.user_id, ${MAX_FIELD}), left(m.terminal, ${MAX_FIELD}), date_trunc('hour', m.lt), min(m.lt), max(m.lt)
    FROM m, review w
    WHERE m.badk = 0 AND m.day BETWEEN w.from_day AND w.to_day AND left(m.user_id, ${MAX_FIELD}) IN (SELECT user_id FROM travel_users)
    GROUP BY ALL`
  try {
    await withSmallBuildSide(engine, sql)
  } catch (error) {
    throw readError(error, plans)
  }
}

/** What the reader cannot get past at all (a cut gzip stream, an unreadable file) makes the input unusable. */
function readError(error: unknown, plans: readonly FilePlan[]): InputError {
  const message = (error as Error).message.split('\n')[0]
  const plan = plans.find((p) => message.includes(p.path)) ?? plans[0]
  return new InputError([
    {code: 'E_READ', message: `cannot read the log: ${message.replaceAll(plan.path, plan.file)}`, file: plan.file},
  ])
}

/** How the time column arrives: a local time without zone, an instant, or text to parse. */
type TimeKind = 'naive' | 'instant' | 'text'

/**
 * The files as one relation whose columns are `f_<field>`, plus the file each row came from. CSV and TSV with a
 * time format without an offset are typed by the reader itself (fast, and a bad time or count is a reject with its
 * line number); everything else is text parsed in SQL.
 */
async function sourceSql(
  engine: LogEngine,
  mapping: LogMapping,
  plans: readonly FilePlan[],
  storeRejects: boolean,
): Promise<{sql: string; time: TimeKind}> {
  const plan = plans[0]
  const path = `[${plans.map((p) => literal(p.path)).join(', ')}]`
  const mapped = LOG_FIELDS.filter((field) => mapping.fields[field] !== undefined)
  // The reader skips a line it cannot split either way; the first read records where (store_rejects implies ignore_errors).
  const rejects = `${storeRejects ? "store_rejects = true, rejects_table = 'rejects', rejects_scan = 'rejects_scan'" : 'ignore_errors = true'}, max_line_size = ${2 * MAX_LINE}, buffer_size = ${READ_BUFFER}, filename = true`
  const compression = readsGzip(plan) ? 'gzip' : 'none'
  if (mapping.format === 'jsonl') {
    // One text column per line, so that a line that is not JSON is a counted row rather than a failed read.
    const key = (field: LogField) =>
      `CASE WHEN ok THEN json_extract_string(j, ${literal(`$.${JSON.stringify(mapping.fields[field])}`)}) END`
    const cols = mapped.map((field) => `${key(field)} AS ${ident(`f_${field}`)}`).join(', ')
    return {
      time: 'text',
      sql: `SELECT ${cols}, ok, left(j, ${MAX_FIELD}) AS line_raw, filename FROM (SELECT j, json_valid(j) AS ok, filename FROM read_csv(${path}, header = false, columns = {'j': 'VARCHAR'},
      delim = chr(1), quote = '', escape = '', auto_detect = false, compression = '${compression}', ${rejects}) WHERE trim(j) <> '')`,
    }
  }

  if (mapping.format === 'parquet') {
    const described = await engine.rows(`DESCRIBE SELECT * FROM read_parquet(${literal(plan.path)})`)
    const types = new Map(described.map((d) => [String(d.column_name), String(d.column_type)]))
    const problems = mapped.filter((field) => !types.has(mapping.fields[field]!))
    if (problems.length > 0)
      throw new InputError(
        problems.map((field) =>
          columnProblem(
            mapping,
            field,
            `fields.${field}: column ${JSON.stringify(mapping.fields[field])} is not in ${plan.file}`,
          ),
        ),
      )
    const timeType = types.get(mapping.fields.time)!
    // A time the writer typed is kept as such: with a zone it is an instant, without one a local time in the mapping's zone.
    const time: TimeKind =
      timeType === 'TIMESTAMP WITH TIME ZONE' ? 'instant' : /^TIMESTAMP/.test(timeType) ? 'naive' : 'text'
    const cols = mapped.map((field) => {
      const col = ident(mapping.fields[field]!)
      // A typed time can be infinite ('infinity', '-infinity'): no day of any review, so the row is unparseable.
      if (field === 'time' && time !== 'text')
        return `CASE WHEN isfinite(${col}) THEN ${time === 'naive' ? `CAST(${col} AS TIMESTAMP)` : col} END AS f_time`
      return `CAST(${col} AS VARCHAR) AS ${ident(`f_${field}`)}`
    })
    return {time, sql: `SELECT ${cols.join(', ')}, filename FROM read_parquet(${literal(plan.path)}, filename = true)`}
  }

  const header = plan.header ?? []
  const typedTime = !mapping.timestamp.hasOffset && mapping.timestamp.format !== 'iso8601'
  const typeOf = (h: string) =>
    typedTime && h === mapping.fields.time ? 'TIMESTAMP' : h === mapping.fields.records ? 'BIGINT' : 'VARCHAR'
  const columns = header.map((h, i) => `${literal(h || `column${i}`)}: '${typeOf(h)}'`).join(', ')
  // The reader's strptime takes 'infinity', '-infinity' and 'epoch' whatever the format, as 1900-01-01 00:00:00, and
  // the text is gone by then: that time makes the row unparseable, as on every path (see PLACEHOLDER in localTime).
  const cols = mapped.map((field) => `${ident(mapping.fields[field]!)} AS ${ident(`f_${field}`)}`).join(', ')
  const timestampFormat = typedTime ? `, timestampformat = ${literal(mapping.timestamp.format)}` : ''
  return {
    time: typedTime ? 'naive' : 'text',
    sql: `SELECT ${cols}, filename FROM read_csv(${path}, header = true, columns = {${columns}}, delim = ${literal(mapping.delimiter)}, quote = '"', escape = '"',
    auto_detect = false, strict_mode = true, null_padding = false, compression = '${compression}', ${rejects}${timestampFormat})`,
  }
}

/**
 * A time written without an offset as exactly 1900-01-01 00:00:00 is a placeholder for none (what a system writes for
 * an empty date, and what strptime makes of the words 'infinity', '-infinity' and 'epoch' when the reader types the
 * time and its text is gone): the row is unparseable, whichever way the time was read (typed by the CSV or Parquet
 * reader, cast as ISO 8601, or parsed with the mapping's format), rather than a row of a day outside every review.
 */
const PLACEHOLDER = '1900-01-01 00:00:00'

/** The local time of a row in the policy's zone (naive): what days and hours are counted in. */
function localTime(mapping: LogMapping, col: string, time: TimeKind, timezone: string): string {
  const tz = literal(timezone)
  const zone = literal(mapping.timestamp.zone)
  // A local time of the mapping's zone, moved to the policy's zone (nothing to do when they are the same zone). One
  // written as the placeholder is no time (see PLACEHOLDER).
  const fromNaive = (parsed: string) => {
    const naive = `nullif(${parsed}, TIMESTAMP '${PLACEHOLDER}')`
    return mapping.timestamp.zone === timezone ? naive : `timezone(${tz}, timezone(${zone}, ${naive}))`
  }
  if (time === 'naive') return fromNaive(col)
  if (time === 'instant') return `timezone(${tz}, ${col})`
  const t = `trim(${col})`
  const {format, hasOffset} = mapping.timestamp
  if (format === 'iso8601') {
    // An ISO time starts with its year's digits; the engine's cast also takes 'infinity', '-infinity' and 'epoch',
    // which would put the row on no day of the review (or on 1970-01-01) instead of making it unparseable.
    return `CASE WHEN NOT (left(${t}, 1) BETWEEN '0' AND '9') THEN NULL WHEN regexp_matches(${t}, '([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$') THEN timezone(${tz}, try_cast(${t} AS TIMESTAMPTZ)) ELSE ${fromNaive(`try_cast(${t} AS TIMESTAMP)`)} END`
  }

  // strptime takes 'infinity', '-infinity' and 'epoch' whatever the format, as 1900-01-01 00:00:00: no time of a log.
  const parsed = `CASE WHEN lower(${t}) NOT IN ('infinity', '-infinity', 'epoch') THEN try_strptime(${t}, ${literal(format)}) END`
  return hasOffset ? `timezone(${tz}, ${parsed})` : fromNaive(parsed)
}

/**
 * Logged setting → 1 nw, 2 retail (through the mapping, or already nw / retail in any case), 3 anything else (the
 * setting rule shows it), 0 not logged. Small integers: every row's kind is compared several times in the aggregation.
 */
function settingKind(mapping: LogMapping): string {
  const code = (v: string) => (v === 'nw' ? 1 : 2)
  const pairs = Object.entries(mapping.values.setting).map(([k, v]) => `WHEN ${literal(k)} THEN ${code(v)}`)
  const rest = `CASE WHEN setting_raw IS NULL THEN 0 WHEN lower(setting_raw) = 'nw' THEN 1 WHEN lower(setting_raw) = 'retail' THEN 2 ELSE 3 END`
  return pairs.length > 0 ? `CASE setting_raw ${pairs.join(' ')} ELSE ${rest} END` : rest
}

/**
 * Logged action → 1 export, 2 view, search or print (the volume rule's records), 0 anything else (login, logout,
 * update, other, or an unknown word: still a use of the terminal), through the mapping or the canonical words.
 */
function actionKind(mapping: LogMapping): string {
  const kind: Record<string, number> = {export: 1, view: 2, search: 2, print: 2}
  const pairs = Object.entries(mapping.values.action).map(([k, v]) => `WHEN ${literal(k)} THEN ${kind[v] ?? 0}`)
  const rest = `CASE lower(action_raw) WHEN 'export' THEN 1 WHEN 'view' THEN 2 WHEN 'search' THEN 2 WHEN 'print' THEN 2 ELSE 0 END`
  return pairs.length > 0 ? `CASE action_raw ${pairs.join(' ')} ELSE ${rest} END` : rest
}
