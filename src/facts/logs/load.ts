import {InputError} from '../../model/errors.js'
import type {LogEngine} from './engine.js'
import {ident, literal} from './sql.js'
import type {FilePlan} from './files.js'
import {columnProblem} from './mapping.js'
import {ACTIONS, LOG_FIELDS, type LogField, type LogMapping} from '../../model/logs.js'

/** Longest value kept of any logged field: a hostile or broken log cannot make a report or the engine balloon. */
export const MAX_FIELD = 200
/** Longest line the engine reads; a longer one is an unparseable line (counted, located). */
export const MAX_LINE = 1 << 20

/**
 * The facts the review keeps: log rows aggregated to one row per source, file, terminal, user and local hour, with
 * counts, records and the first instant of each kind of use the rules ask about (by logged setting; competitors'
 * customers shown unmasked; exports of them). Times are local times of the policy's zone. One pass over the files builds it; every rule reads it. A month of
 * millions of rows becomes a table of a fraction of that, while the first and last instants stay exact (the
 * boundary rules compare those) and the hour stays fine enough for the travel rule.
 */
export const USAGE_TABLE = `CREATE TABLE usage_all (
  source VARCHAR, file VARCHAR, bad VARCHAR, bad_sample VARCHAR,
  day DATE, hour TIMESTAMP, terminal VARCHAR, user_id VARCHAR,
  n BIGINT, records BIGINT, activity BIGINT, first_at TIMESTAMP, last_at TIMESTAMP,
  nw_n BIGINT, nw_first_at TIMESTAMP, retail_n BIGINT, retail_first_at TIMESTAMP,
  other_setting VARCHAR, other_n BIGINT, other_first_at TIMESTAMP,
  shown_n BIGINT, shown_records BIGINT, shown_first_at TIMESTAMP, sample_sp VARCHAR, fields VARCHAR,
  export_n BIGINT, export_records BIGINT, export_first_at TIMESTAMP
)`

/** Lines the reader itself rejected (wrong column count, invalid bytes, over-long lines), by engine path. */
export type Rejects = Map<string, {lines: number[]; count: number}>

/**
 * Reads files of one mapping that share a header into `usage_all`, in one scan. Every value is read as text and
 * parsed in SQL, so a bad time, count or JSON line becomes a counted row (`bad`), never an aborted review; lines the
 * reader itself cannot split are rejects with line numbers. `file` holds the engine's path (see `renameFiles`).
 */
export async function loadFiles(engine: LogEngine, mapping: LogMapping, plans: readonly FilePlan[], timezone: string): Promise<Rejects> {
  const {sql: source, time} = await sourceSql(engine, mapping, plans)
  const f = (field: LogField) => (mapping.fields[field] === undefined ? 'NULL' : `r.${ident(`f_${field}`)}`)
  const typedRecords = mapping.format === 'csv' || mapping.format === 'tsv'
  // Everything is kept as local times of the policy's zone (naive TIMESTAMP, exact to the microsecond): converting
  // each group's times to instants cost a time-zone lookup per value; the engine adds the offset when it shows one.
  const at = (col: string) => `CASE WHEN bad IS NULL THEN ${col} END`
  const sql = `
    INSERT INTO usage_all
    WITH r AS (${source}),
    p AS (
      SELECT ${localTime(mapping, f('time'), time, timezone)} AS lt,
        nullif(${f('terminal')}, '') AS terminal, nullif(${f('user')}, '') AS user_id,
        nullif(${f('setting')}, '') AS setting_raw, nullif(${f('action')}, '') AS action_raw,
        nullif(${f('supply_point')}, '') AS sp, nullif(${f('unmasked')}, '') AS unmasked,
        ${typedRecords ? `${f('records')} AS nrec, false AS bad_records` : `try_cast(nullif(${f('records')}, '') AS BIGINT) AS nrec, nullif(${f('records')}, '') IS NOT NULL AND coalesce(try_cast(nullif(${f('records')}, '') AS BIGINT) < 0, true) AS bad_records`},
        nullif(${f('retailer')}, '') AS retailer,
        ${time === 'text' ? f('time') : 'NULL'} AS time_raw, ${mapping.format === 'jsonl' ? 'r.ok' : 'true'} AS ok, ${mapping.format === 'jsonl' ? 'r.line_raw' : 'NULL'} AS line_raw,
        r.filename AS r_file
      FROM r
    ),
    q AS (
      SELECT p.*, CAST(lt AS DATE) AS day,
        CASE WHEN NOT ok THEN 'json' WHEN lt IS NULL THEN 'time' WHEN terminal IS NULL THEN 'terminal'
          WHEN user_id IS NULL THEN 'user' WHEN action_raw IS NULL THEN 'action' WHEN bad_records OR nrec < 0 THEN 'records'
          ELSE NULL END AS bad
      FROM p
    ),
    c AS (
      SELECT q.*, CASE WHEN sp IS NULL THEN NULL ELSE coalesce(NOT rt.own, true) END AS competitor
      FROM q
      -- An equality join on the id (a hash join); a condition on the probe side in ON would make it a nested loop.
      LEFT JOIN supply_points s ON s.id = q.sp AND q.day BETWEEN s.from_day AND s.to_day
      LEFT JOIN retailers rt ON rt.id = coalesce(q.retailer, s.retailer)
    ),
    m AS (
      SELECT c.*, ${settingExpr(mapping)} AS setting, ${actionExpr(mapping)} AS action,
        unmasked IS NOT NULL AND competitor IS NOT FALSE AS shown_comp, coalesce(nrec, 1) AS recs
      FROM c
    ),
    -- Two levels: per row only a few aggregates (the cost of a month of rows is in updating aggregate states), then
    -- the per-kind counts and first times over those far fewer rows.
    g1 AS (
      SELECT ${plans.length === 1 ? '' : 'r_file, '}bad, date_trunc('hour', lt) AS hour, terminal, user_id, setting, action, shown_comp,
        action = 'export' AND competitor IS NOT FALSE AS export_comp,
        count(*) AS n, sum(recs) AS recs, min(lt) AS f, max(lt) AS l,
        min(CASE WHEN shown_comp THEN sp END) AS sp, min(CASE WHEN shown_comp THEN unmasked END) AS fields,
        min(CASE WHEN bad IS NOT NULL THEN coalesce(CASE WHEN NOT ok THEN line_raw END, time_raw, '') END) AS bad_sample
      FROM m GROUP BY ALL
    ),
    g AS (
      SELECT ${plans.length === 1 ? '' : 'r_file, '}bad, hour, terminal, user_id,
        sum(n) AS n, sum(recs) AS records, sum(recs) FILTER (WHERE action IN ('view', 'search', 'print', 'export')) AS activity,
        min(f) AS first_lt, max(l) AS last_lt,
        sum(n) FILTER (WHERE setting = 'nw') AS nw_n, min(f) FILTER (WHERE setting = 'nw') AS nw_first,
        sum(n) FILTER (WHERE setting = 'retail') AS retail_n, min(f) FILTER (WHERE setting = 'retail') AS retail_first,
        min(setting) FILTER (WHERE setting NOT IN ('nw', 'retail')) AS other_setting, sum(n) FILTER (WHERE setting NOT IN ('nw', 'retail')) AS other_n,
        min(f) FILTER (WHERE setting NOT IN ('nw', 'retail')) AS other_first,
        sum(n) FILTER (WHERE shown_comp) AS shown_n, sum(recs) FILTER (WHERE shown_comp) AS shown_records, min(f) FILTER (WHERE shown_comp) AS shown_first,
        min(sp) AS sample_sp, min(fields) AS fields,
        sum(n) FILTER (WHERE export_comp) AS export_n, sum(recs) FILTER (WHERE export_comp) AS export_records, min(f) FILTER (WHERE export_comp) AS export_first,
        min(bad_sample) AS bad_sample
      FROM g1 GROUP BY ALL
    )
    SELECT ${literal(mapping.source)}, ${plans.length === 1 ? literal(plans[0].path) : 'r_file'}, bad, left(bad_sample, ${MAX_FIELD}),
      CASE WHEN bad IS NULL THEN CAST(hour AS DATE) END, CASE WHEN bad IS NULL THEN hour END,
      CASE WHEN bad IS NULL THEN left(terminal, ${MAX_FIELD}) END, CASE WHEN bad IS NULL THEN left(user_id, ${MAX_FIELD}) END,
      n, records, coalesce(activity, 0), ${at('first_lt')}, ${at('last_lt')},
      coalesce(nw_n, 0), ${at('nw_first')}, coalesce(retail_n, 0), ${at('retail_first')}, left(other_setting, 40), coalesce(other_n, 0), ${at('other_first')},
      coalesce(shown_n, 0), coalesce(shown_records, 0), ${at('shown_first')}, left(sample_sp, ${MAX_FIELD}), left(fields, ${MAX_FIELD}),
      coalesce(export_n, 0), coalesce(export_records, 0), ${at('export_first')}
    FROM g`
  try {
    await engine.run(sql)
  } catch (error) {
    // What the reader cannot get past at all (a cut gzip stream, an unreadable file) makes the input unusable.
    const message = (error as Error).message.split('\n')[0]
    const plan = plans.find((p) => message.includes(p.path)) ?? plans[0]
    throw new InputError([{code: 'E_READ', message: `cannot read the log: ${message.replaceAll(plan.path, plan.file)}`, file: plan.file}])
  }

  const out: Rejects = new Map()
  if (mapping.format === 'parquet') return out
  const rows = await engine.rows(
    `SELECT s.file_path AS path, count(DISTINCT e.line) AS n, list(DISTINCT e.line ORDER BY e.line)[1:5] AS lines
     FROM rejects e JOIN rejects_scan s USING (scan_id, file_id) GROUP BY s.file_path`,
  )
  for (const r of rows) out.set(String(r.path), {count: Number(r.n), lines: String(r.lines ?? '').replaceAll(/[[\]\s]/g, '').split(',').filter(Boolean).map(Number)})
  return out
}

/** How the time column arrives: a local time without zone, an instant, or text to parse. */
type TimeKind = 'naive' | 'instant' | 'text'

/**
 * The files as one relation whose columns are `f_<field>`, plus the file each row came from. CSV and TSV with a
 * time format without an offset are typed by the reader itself (fast, and a bad time or count is a reject with its
 * line number); everything else is text parsed in SQL.
 */
async function sourceSql(engine: LogEngine, mapping: LogMapping, plans: readonly FilePlan[]): Promise<{sql: string; time: TimeKind}> {
  const plan = plans[0]
  const path = `[${plans.map((p) => literal(p.path)).join(', ')}]`
  const mapped = LOG_FIELDS.filter((field) => mapping.fields[field] !== undefined)
  const rejects = `store_rejects = true, rejects_table = 'rejects', rejects_scan = 'rejects_scan', max_line_size = ${MAX_LINE}, filename = true`
  const compression = plan.gzip && plan.path === plan.file ? 'gzip' : 'none'
  if (mapping.format === 'jsonl') {
    // One text column per line, so that a line that is not JSON is a counted row rather than a failed read.
    const key = (field: LogField) => `CASE WHEN ok THEN json_extract_string(j, ${literal(`$.${JSON.stringify(mapping.fields[field])}`)}) END`
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
      throw new InputError(problems.map((field) => columnProblem(mapping, field, `fields.${field}: column ${JSON.stringify(mapping.fields[field])} is not in ${plan.file}`)))
    const timeType = types.get(mapping.fields.time)!
    // A time the writer typed is kept as such: with a zone it is an instant, without one a local time in the mapping's zone.
    const time: TimeKind = timeType === 'TIMESTAMP WITH TIME ZONE' ? 'instant' : /^TIMESTAMP/.test(timeType) ? 'naive' : 'text'
    const cols = mapped.map((field) => {
      const col = ident(mapping.fields[field]!)
      if (field === 'time' && time !== 'text') return `${time === 'naive' ? `CAST(${col} AS TIMESTAMP)` : col} AS f_time`
      return `CAST(${col} AS VARCHAR) AS ${ident(`f_${field}`)}`
    })
    return {time, sql: `SELECT ${cols.join(', ')}, filename FROM read_parquet(${literal(plan.path)}, filename = true)`}
  }

  const header = plan.header ?? []
  const typedTime = !mapping.timestamp.hasOffset && mapping.timestamp.format !== 'iso8601'
  const typeOf = (h: string) => (typedTime && h === mapping.fields.time ? 'TIMESTAMP' : h === mapping.fields.records ? 'BIGINT' : 'VARCHAR')
  const columns = header.map((h, i) => `${literal(h || `column${i}`)}: '${typeOf(h)}'`).join(', ')
  const cols = mapped.map((field) => `${ident(mapping.fields[field]!)} AS ${ident(`f_${field}`)}`).join(', ')
  const timestampFormat = typedTime ? `, timestampformat = ${literal(mapping.timestamp.format)}` : ''
  return {
    time: typedTime ? 'naive' : 'text',
    sql: `SELECT ${cols}, filename FROM read_csv(${path}, header = true, columns = {${columns}}, delim = ${literal(mapping.delimiter)}, quote = '"', escape = '"',
    auto_detect = false, strict_mode = true, null_padding = false, compression = '${compression}', ${rejects}${timestampFormat})`,
  }
}

/** The local time of a row in the policy's zone (naive): what days and hours are counted in. */
function localTime(mapping: LogMapping, col: string, time: TimeKind, timezone: string): string {
  const tz = literal(timezone)
  const zone = literal(mapping.timestamp.zone)
  // A local time of the mapping's zone, moved to the policy's zone (nothing to do when they are the same zone).
  const fromNaive = (naive: string) => (mapping.timestamp.zone === timezone ? naive : `timezone(${tz}, timezone(${zone}, ${naive}))`)
  if (time === 'naive') return fromNaive(col)
  if (time === 'instant') return `timezone(${tz}, ${col})`
  const t = `trim(${col})`
  const {format, hasOffset} = mapping.timestamp
  if (format === 'iso8601') {
    return `CASE WHEN regexp_matches(${t}, '([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$') THEN timezone(${tz}, try_cast(${t} AS TIMESTAMPTZ)) ELSE ${fromNaive(`try_cast(${t} AS TIMESTAMP)`)} END`
  }

  return hasOffset ? `timezone(${tz}, try_strptime(${t}, ${literal(format)}))` : fromNaive(`try_strptime(${t}, ${literal(format)})`)
}

/** Logged setting → nw | retail through the mapping; anything else is kept (bounded) so the setting rule sees it. */
function settingExpr(mapping: LogMapping): string {
  const pairs = Object.entries(mapping.values.setting).map(([k, v]) => `WHEN setting_raw = ${literal(k)} THEN ${literal(v)}`)
  return `CASE ${pairs.join(' ')} WHEN lower(setting_raw) IN ('nw', 'retail') THEN lower(setting_raw) ELSE left(setting_raw, 40) END`
}

/** Logged action → the canonical words; an unknown action is `other` (it is still a use of the terminal). */
function actionExpr(mapping: LogMapping): string {
  const pairs = Object.entries(mapping.values.action).map(([k, v]) => `WHEN action_raw = ${literal(k)} THEN ${literal(v)}`)
  const known = ACTIONS.map((a) => literal(a)).join(', ')
  return `CASE ${pairs.join(' ')} WHEN lower(action_raw) IN (${known}) THEN lower(action_raw) ELSE 'other' END`
}
