import {readdir, stat} from 'node:fs/promises'
import {dirname, isAbsolute, join, relative, sep} from 'node:path'

import {InputError, type Problem, ProblemList} from '../../model/errors.js'
import type {SourcePosition} from '../../model/types.js'
import {schemaProblems, schemaValidator} from '../../io/schema.js'
import {positionAt, readYamlFile} from '../../io/yaml.js'
import {LOG_FIELDS, type LogField, type LogMapping} from '../../model/logs.js'

/** The strptime specifiers DuckDB understands that make sense in a log time. */
const SPECIFIERS = new Set([
  'Y',
  'y',
  'm',
  'd',
  'e',
  'H',
  'I',
  'M',
  'S',
  'f',
  'g',
  'n',
  'z',
  'Z',
  'p',
  'b',
  'B',
  'h',
  'a',
  'A',
  'j',
  '%',
])

interface RawMapping {
  source: string
  files?: string[]
  format: LogMapping['format']
  encoding?: string
  compression?: LogMapping['compression']
  delimiter?: string
  timestamp: {format: string; zone: string}
  fields: LogMapping['fields']
  values?: {setting?: Record<string, string>; action?: Record<string, string>}
  unmasked_separator?: string
  personal_data?: string[]
}

/** Loads every mapping (all problems at once, exit 2). `files` overrides the files of a single mapping. */
export async function loadMappings(options: {
  mappings: readonly string[]
  files?: readonly string[]
}): Promise<LogMapping[]> {
  if (options.files?.length && options.mappings.length !== 1)
    throw new InputError([
      {
        code: 'E_FLAG',
        message: '--log-file needs exactly one --logs mapping (each mapping otherwise lists its own files)',
      },
    ])
  const problems = new ProblemList()
  const out: LogMapping[] = []
  for (const m of options.mappings) {
    try {
      out.push(await loadMapping(m, options.files))
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      for (const p of error.problems) problems.add(p)
    }
  }

  const seen = new Map<string, string>()
  for (const m of out) {
    if (seen.has(m.source))
      problems.add({
        code: 'E_DUPLICATE',
        message: `source "${m.source}" is also the source of ${seen.get(m.source)}`,
        file: m.file,
      })
    seen.set(m.source, m.file)
  }

  problems.throwIfAny()
  return out
}

/**
 * Loads and validates a log mapping file; every problem at once, each at its line and column (exit 2). The log
 * files come from `files` (globs relative to the mapping) unless the caller names them.
 */
export async function loadMapping(file: string, logFiles?: readonly string[]): Promise<LogMapping> {
  const result = await readYamlFile(file)
  if (!result.ok) throw new InputError(result.problems)
  const src = result.source
  const validate = schemaValidator('log-mapping.schema.json')
  if (!validate(src.value)) throw new InputError(schemaProblems(src, validate.errors))
  const raw = src.value as RawMapping
  const problems = new ProblemList()
  const at = (...path: string[]) => positionAt(src, path)
  const formatAt = at('timestamp', 'format')
  const hasOffset = checkTimestampFormat(raw.timestamp.format, formatAt, src.text, problems)
  try {
    new Intl.DateTimeFormat('en', {timeZone: raw.timestamp.zone})
  } catch {
    problems.at(at('timestamp', 'zone'), 'E_MAPPING', `timestamp.zone: unknown time zone "${raw.timestamp.zone}"`)
  }

  const positions: LogMapping['positions'] = {
    files: at('files'),
    format: at('format'),
    encoding: at('encoding'),
    'timestamp.format': formatAt,
  }
  for (const f of LOG_FIELDS) if (raw.fields[f] !== undefined) positions[f as LogField] = at('fields', f)
  // A field read from a column of customers' personal data would carry it into every report. A CSV or TSV header's
  // names are read trimmed (see splitHeader), so a column listed with the spaces of its header line is the column a
  // field names without them; a JSON key or Parquet column is exact.
  const name = (column: string) => (raw.format === 'csv' || raw.format === 'tsv' ? column.trim() : column)
  const personal = new Set((raw.personal_data ?? []).map(name))
  for (const f of LOG_FIELDS)
    if (raw.fields[f] !== undefined && personal.has(name(raw.fields[f])))
      problems.at(
        at('fields', f),
        'E_MAPPING',
        `fields.${f}: column ${JSON.stringify(raw.fields[f])} is listed in personal_data (customers' personal data is never read)`,
      )
  if (raw.format === 'parquet' && raw.encoding && !/^utf-?8$/.test(raw.encoding))
    problems.at(at('encoding'), 'E_MAPPING', 'encoding: parquet files are always UTF-8')
  let files: string[] = []
  if (logFiles?.length) files = [...logFiles]
  else if (raw.files) files = await expandPatterns(raw.files, dirname(file), at('files'), problems)
  else problems.at(at('source'), 'E_MAPPING', 'no log files: list them in `files` or pass --log-file')
  problems.throwIfAny()
  return {
    file,
    source: raw.source,
    format: raw.format,
    encoding: raw.encoding && !/^utf-?8$/.test(raw.encoding) ? 'shift_jis' : 'utf-8',
    compression: raw.compression ?? 'auto',
    delimiter: raw.format === 'tsv' ? '\t' : (raw.delimiter ?? ','),
    timestamp: {format: raw.timestamp.format, zone: raw.timestamp.zone, hasOffset},
    fields: raw.fields,
    values: {setting: raw.values?.setting ?? {}, action: raw.values?.action ?? {}},
    unmaskedSeparator: raw.unmasked_separator ?? '|',
    files: [...new Set(files)].sort(),
    positions,
  }
}

/**
 * Checks a strptime format: every `%x` must be one DuckDB knows, and a time needs a year, month, day, hour and
 * minute. Returns whether the format carries an offset (%z, or a zone name: %Z). A bad specifier is reported at its own column.
 */
function checkTimestampFormat(format: string, pos: SourcePosition, text: string, problems: ProblemList): boolean {
  if (format === 'iso8601') return true
  // Where the format's characters start on the line: after the opening quote, if it is quoted.
  const lineText = text.split('\n')[pos.line - 1] ?? ''
  const quoted = lineText[pos.column - 1] === '"' || lineText[pos.column - 1] === "'" ? 1 : 0
  const seen = new Set<string>()
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue
    const spec = format[i + 1]
    if (spec === undefined || !SPECIFIERS.has(spec)) {
      problems.add({
        code: 'E_MAPPING',
        message: `timestamp.format: unknown specifier "%${spec ?? ''}" (known: ${[...SPECIFIERS].map((s) => `%${s}`).join(' ')}, or iso8601)`,
        file: pos.file,
        line: pos.line,
        column: pos.column + quoted + i,
      })
      return false
    }

    seen.add(spec)
    i++
  }

  const need: [string, string[]][] = [
    ['year', ['Y', 'y']],
    ['month', ['m', 'b', 'B', 'h']],
    ['day', ['d', 'e']],
    ['hour', ['H', 'I']],
    ['minute', ['M']],
  ]
  const missing = need.filter(([, specs]) => !specs.some((s) => seen.has(s))).map(([name]) => name)
  if (missing.length > 0) problems.at(pos, 'E_MAPPING', `timestamp.format: "${format}" has no ${missing.join(', ')}`)
  // A 12-hour hour without AM/PM reads 12:30 as 00:30 and cannot read 13:00: the format is wrong, not the lines.
  if (seen.has('I') && !seen.has('p') && !seen.has('H'))
    problems.at(
      pos,
      'E_MAPPING',
      `timestamp.format: "${format}" has a 12-hour hour (%I) without AM/PM (%p); %H is 0-23`,
    )
  // %Z (a zone name such as UTC or JST) carries an offset too: the engine's reader would drop it, so parse it as an instant.
  return seen.has('z') || seen.has('Z')
}

/** Expands paths and glob patterns (`*`, `?`, `**`) relative to `base`; a pattern matching nothing is an error. */
async function expandPatterns(
  patterns: readonly string[],
  base: string,
  pos: SourcePosition,
  problems: ProblemList,
): Promise<string[]> {
  const out: string[] = []
  for (const pattern of patterns) {
    const full = isAbsolute(pattern) ? pattern : join(base, pattern)
    const found = /[*?]/.test(pattern) ? await glob(full) : await isFile(full).then((ok) => (ok ? [full] : []))
    if (found.length === 0)
      problems.at(pos, 'E_MAPPING', `files: nothing matches "${pattern}" (relative to ${base || '.'})`)
    out.push(...found)
  }

  return out
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** A small glob: the fixed leading folders, then segment by segment; `**` is any depth. Hidden entries are skipped. */
async function glob(pattern: string): Promise<string[]> {
  const parts = pattern.split(sep)
  const firstWild = parts.findIndex((p) => /[*?]/.test(p))
  const root = parts.slice(0, firstWild).join(sep) || (pattern.startsWith(sep) ? sep : '.')
  const out: string[] = []
  const walk = async (dir: string, rest: string[]): Promise<void> => {
    if (rest.length === 0) return
    const [head, ...tail] = rest
    let entries
    try {
      entries = await readdir(dir, {withFileTypes: true})
    } catch {
      return
    }

    if (head === '**') {
      await walk(dir, tail)
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) await walk(join(dir, e.name), rest)
      return
    }

    const re = segmentRegex(head)
    for (const e of entries) {
      if (e.name.startsWith('.') || !re.test(e.name)) continue
      const full = join(dir, e.name)
      if (tail.length === 0 && e.isFile()) out.push(full)
      else if (tail.length > 0 && e.isDirectory()) await walk(full, tail)
    }
  }

  await walk(root, parts.slice(firstWild))
  return out.sort((a, b) => relative(root, a).localeCompare(relative(root, b)))
}

function segmentRegex(segment: string): RegExp {
  const body = segment
    .replaceAll(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '[^/]*')
    .replaceAll('?', '[^/]')
  return new RegExp(`^${body}$`)
}

/** A problem about a mapping's column, located at the field in the mapping file. */
export function columnProblem(mapping: LogMapping, field: LogField, message: string): Problem {
  return {code: 'E_MAPPING', message, ...(mapping.positions[field] ?? {file: mapping.file})}
}
