import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {openLedger, schemaVersion} from '../../../src/ledger/index.js'
import {listReviews, pastReviews, recordReview} from '../../../src/ledger/log-reviews.js'
import {sqlite, tempDir} from '../../commands/ledger/support.js'

let dir: string
let cleanup: () => void
beforeEach(() => ({dir, cleanup} = tempDir()))
afterEach(() => cleanup())

const summary = {
  from: '2026-10-01',
  to: '2026-10-31',
  timezone: 'Asia/Tokyo',
  sources: ['eigyo-online'],
  files: [
    {
      source: 'eigyo-online',
      file: 'logs/a.csv.gz',
      sha256: 'a'.repeat(64),
      bytes: 10,
      rows: 3,
      in_period: 3,
      unparseable: 0,
      first_unparseable: [],
    },
  ],
  rows: 3,
  in_period: 3,
  unparseable: 0,
  terminals_covered: 1,
  supply_points: 'masked' as const,
  mask_key: 'operator' as const,
}

describe('004-log-reviews', () => {
  it('adds STRICT, append-only review tables to a version-3 file', () => {
    const path = join(dir, 'l.sqlite')
    openLedger(path, {targetVersion: 3}).close()
    const db = openLedger(path, {targetVersion: 4})
    expect(schemaVersion(db)).toBe(4)
    db.close()
    for (const t of ['log_reviews', 'log_review_sources', 'log_review_files'])
      expect(sqlite(path, `SELECT strict FROM pragma_table_list WHERE name = '${t}'`).trim()).toBe('1')
  })

  it('records a review with its sources and file hashes, and refuses to change it', () => {
    const path = join(dir, 'l.sqlite')
    const db = openLedger(path)
    const id = recordReview(db, {
      recordedAt: new Date('2026-11-01T00:00:00Z'),
      inventoryRoot: 'inv',
      summary,
      findingCount: 2,
      terminalsCovered: ['T-1'],
    })
    expect(pastReviews(db)).toEqual([{source: 'eigyo-online', from: '2026-10-01', to: '2026-10-31'}])
    expect(listReviews(db)).toMatchObject([
      {
        id,
        period_from: '2026-10-01',
        period_to: '2026-10-31',
        sources: ['eigyo-online'],
        files: 1,
        rows: 3,
        finding_count: 2,
      },
    ])
    db.close()
    expect(sqlite(path, 'SELECT sha256 FROM log_review_files').trim()).toBe('a'.repeat(64))
    expect(() => sqlite(path, "UPDATE log_reviews SET period_to = '2026-10-30'")).toThrow(/append-only/)
    expect(() => sqlite(path, 'DELETE FROM log_review_files')).toThrow(/append-only/)
  })
})
