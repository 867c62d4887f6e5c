import {type LedgerDb, prepare} from './index.js'
import type {LogReviewSummary, PastReview} from '../model/logs.js'

/** Every source-period a recorded review covered (the review-gap rule reads them). */
export function pastReviews(db: LedgerDb): PastReview[] {
  return prepare<[], {source: string; from: string; to: string}>(
    db,
    `SELECT s.source AS source, r.period_from AS "from", r.period_to AS "to"
     FROM log_reviews r JOIN log_review_sources s ON s.review_id = r.id ORDER BY r.period_from, s.source`,
  ).all()
}

/** A stored review, for `logs reviews` and internal audit. */
export interface StoredReview {
  id: number
  recorded_at: string
  period_from: string
  period_to: string
  sources: string[]
  files: number
  rows: number
  unparseable: number
  finding_count: number
  run_id: number | null
}

/** Records one review, its sources and files, in one transaction; returns its id. */
export function recordReview(
  db: LedgerDb,
  review: {
    recordedAt: Date
    inventoryRoot: string
    summary: LogReviewSummary
    findingCount: number
    terminalsCovered: string[]
    runId?: number
  },
): number {
  const {summary} = review
  const write = db.transaction((): number => {
    const {lastInsertRowid} = prepare(
      db,
      `INSERT INTO log_reviews (recorded_at, period_from, period_to, timezone, inventory_root, rows, unparseable, finding_count, terminals_covered, run_id)
       VALUES (@recorded_at, @from, @to, @tz, @root, @rows, @bad, @findings, @terminals, @run)`,
    ).run({
      recorded_at: review.recordedAt.toISOString(),
      from: summary.from,
      to: summary.to,
      tz: summary.timezone,
      root: review.inventoryRoot,
      rows: summary.rows,
      bad: summary.unparseable,
      findings: review.findingCount,
      terminals: JSON.stringify(review.terminalsCovered),
      run: review.runId ?? null,
    })
    const id = Number(lastInsertRowid)
    const source = prepare(db, 'INSERT INTO log_review_sources (review_id, source) VALUES (@id, @source)')
    for (const s of summary.sources) source.run({id, source: s})
    const file = prepare(
      db,
      'INSERT INTO log_review_files (review_id, source, path, sha256, bytes, rows, unparseable) VALUES (@id, @source, @path, @sha256, @bytes, @rows, @bad)',
    )
    for (const f of summary.files)
      file.run({id, source: f.source, path: f.file, sha256: f.sha256, bytes: f.bytes, rows: f.rows, bad: f.unparseable})
    return id
  })
  return write.immediate()
}

/** Stored reviews, newest first. */
export function listReviews(db: LedgerDb): StoredReview[] {
  const rows = prepare<[], Omit<StoredReview, 'sources' | 'files'> & {sources: string; files: number}>(
    db,
    `SELECT r.id, r.recorded_at, r.period_from, r.period_to, r.rows, r.unparseable, r.finding_count, r.run_id,
       (SELECT json_group_array(source) FROM log_review_sources WHERE review_id = r.id) AS sources,
       (SELECT count(*) FROM log_review_files WHERE review_id = r.id) AS files
     FROM log_reviews r ORDER BY r.recorded_at DESC, r.id DESC`,
  ).all()
  return rows.map((r) => ({...r, sources: JSON.parse(r.sources) as string[]}))
}
