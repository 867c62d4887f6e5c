import type {SourcePosition} from './types.js'

/** The fields the review reads from every log row. */
export const LOG_FIELDS = [
  'time',
  'terminal',
  'setting',
  'user',
  'action',
  'supply_point',
  'unmasked',
  'records',
  'retailer',
] as const
export type LogField = (typeof LOG_FIELDS)[number]

/**
 * The largest record count one row may log: ten times the supply points of all of Japan. A larger one is unusable
 * like a negative one; left in, a few rows near 2^63 made the sums overflow and the whole review fail.
 */
export const MAX_RECORDS = 1_000_000_000

/** The canonical actions; a mapping translates the logged words to these. */
export const ACTIONS = ['view', 'search', 'print', 'export', 'login', 'logout', 'update', 'other'] as const

/** A log mapping file, validated: how one source's exports map to the review's fields. */
export interface LogMapping {
  file: string
  source: string
  format: 'csv' | 'tsv' | 'jsonl' | 'parquet'
  encoding: 'utf-8' | 'shift_jis'
  compression: 'auto' | 'gzip' | 'none'
  delimiter: string
  timestamp: {format: string; zone: string; hasOffset: boolean}
  fields: Partial<Record<LogField, string>> & {time: string; terminal: string; user: string; action: string}
  values: {setting: Record<string, string>; action: Record<string, string>}
  unmaskedSeparator: string
  /** The log files, resolved (absolute or relative to the working folder), sorted. */
  files: string[]
  /** Where each field's column is named, for errors about the column. */
  positions: Partial<Record<LogField | 'files' | 'format' | 'encoding' | 'timestamp.format', SourcePosition>>
}

/** One log file as read: its hash, rows, unparseable lines. */
export interface LogFileSummary {
  source: string
  file: string
  sha256: string
  bytes: number
  /** Rows read (parsed and not). */
  rows: number
  /** Rows inside the review period. */
  in_period: number
  /** Lines or rows that could not be parsed. */
  unparseable: number
  /** The first unparseable positions, `file:line` (or `file` when the engine cannot tell the line). */
  first_unparseable: string[]
}

/** What `logs analyze` reviewed; part of the result. */
export interface LogReviewSummary {
  from: string
  to: string
  timezone: string
  sources: string[]
  files: LogFileSummary[]
  rows: number
  in_period: number
  unparseable: number
  /** Declared terminals seen in the logs of the period. */
  terminals_covered: number
  /** How supply point ids are shown: masked with a keyed hash, or in full (NW side only). */
  supply_points: 'masked' | 'full'
  /** Whether the masking key came from the operator (stable across runs) or was made up for this run. */
  mask_key: 'operator' | 'per-run'
  /** The review recorded in the ledger database's history. */
  review_id?: number
}

/** A review already recorded in the ledger database: which source it covered, from which day to which. */
export interface PastReview {
  source: string
  from: string
  to: string
}
