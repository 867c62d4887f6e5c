import Database from 'better-sqlite3'

import {migrate, type LedgerDb} from './store.js'

/** The guards every ledger must have: append-only and chain triggers on each ledger table. */
const GUARDS = [
  'events_no_update',
  'events_no_delete',
  'events_chain',
  'acks_no_update',
  'acks_no_delete',
  'acks_chain',
  'handoffs_no_update',
  'handoffs_no_delete',
  'handoffs_chain',
  'meta_no_update',
  'meta_no_delete',
]

let expected: Map<string, string> | undefined

/** The SQL of each guard as the migrations create it, whitespace-normalised. */
function expectedGuards(): Map<string, string> {
  if (!expected) {
    const db = new Database(':memory:')
    try {
      migrate(db)
      expected = triggers(db)
    } finally {
      db.close()
    }
  }
  return expected
}

const norm = (sql: string): string => sql.replace(/\s+/g, ' ').trim()

function triggers(db: LedgerDb): Map<string, string> {
  const rows = db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'`).all() as {
    name: string
    sql: string | null
  }[]
  return new Map(rows.map((r) => [r.name, norm(r.sql ?? '')]))
}

/**
 * Checks the guards by what they do, not by their names: the database's schema (tables, indexes, triggers, exactly
 * as stored) is replayed into a scratch in-memory database — the ledger file itself is only read — and each guard is
 * tried there: an UPDATE, a DELETE and a broken link must each be refused, and a valid record must be stored as
 * given. A trigger that is missing, renamed, or replaced by one that never fires (`WHEN 0`) fails its probe; a guard
 * whose text differs from the one fleet-audit created, and any trigger fleet-audit did not create, is reported too.
 * Returns one message per problem.
 */
export function checkGuards(db: LedgerDb): string[] {
  const problems: string[] = []
  const present = triggers(db)
  const want = expectedGuards()
  for (const name of GUARDS) {
    if (!present.has(name)) problems.push(`trigger ${name} is missing: the guard was removed behind the ledger's back`)
    else if (present.get(name) !== want.get(name))
      problems.push(`trigger ${name} is not the one fleet-audit created (altered)`)
  }
  for (const name of present.keys())
    if (!want.has(name))
      problems.push(`trigger ${name} was not created by fleet-audit (added behind the ledger's back)`)
  problems.push(...probe(db))
  return problems
}

function probe(db: LedgerDb): string[] {
  const schema = db
    .prepare(
      `SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid`,
    )
    .all() as {type: string; name: string; sql: string}[]
  const scratch = new Database(':memory:')
  const problems: string[] = []
  try {
    try {
      for (const s of schema) scratch.exec(s.sql)
    } catch (error) {
      return [`the schema cannot be rebuilt to test its guards: ${(error as Error).message} (damaged)`]
    }
    scratch.pragma('foreign_keys = ON')
    const refused = (sql: string): boolean => {
      scratch.exec('SAVEPOINT probe')
      try {
        scratch.exec(sql)
        return false
      } catch {
        return true
      } finally {
        scratch.exec('ROLLBACK TO probe; RELEASE probe')
      }
    }
    const event = (seq: number, prev: string | null, hash: string, issuer = 'probe-a'): string =>
      `INSERT INTO events (issuer, seq, kind, terminal, site, zone, role, owner, macs, actor, approver, occurred_at, recorded_at, prev_hash, hash)
       VALUES ('${issuer}', ${seq}, 'install', 't', 's', 'z', 'retail', 'o', '[]', 'a', 'b', 'x', 'x', ${prev === null ? 'NULL' : `'${prev}'`}, '${hash}')`
    const ack = (seq: number, prev: string | null, hash: string, eventHash = 'h1'): string =>
      `INSERT INTO acks (acker, issuer, seq, event_seq, event_hash, state, evidence, checked_at, recorded_at, prev_hash, hash)
       VALUES ('probe-b', 'probe-a', ${seq}, 1, '${eventHash}', 'verified', '[]', 'x', 'x', ${prev === null ? 'NULL' : `'${prev}'`}, '${hash}')`
    const handoff = (id: number, prev: string | null): string =>
      `INSERT INTO handoffs (id, direction, type, issuer, recipient, first_seq, last_seq, count, added, signature, at, entry_prev, entry_hash)
       VALUES (${id}, 'out', 'events', 'probe-a', 'probe-b', 1, 1, 1, 1, 's', 'x', ${prev === null ? 'NULL' : `'${prev}'`}, 'e${id}')`
    const setup: [string, string][] = [
      ['events', event(1, null, 'h1')],
      ['acks', ack(1, null, 'a1')],
      ['handoffs', handoff(1, null)],
      ['meta', `INSERT INTO meta (key, value, at) VALUES ('probe', 'v', 'x')`],
    ]
    for (const [table, sql] of setup) {
      try {
        scratch.exec(sql)
      } catch (error) {
        problems.push(`a valid ${table} record is refused: ${(error as Error).message} (damaged schema)`)
        return problems
      }
    }
    const stored = scratch
      .prepare(
        `SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM acks) + (SELECT count(*) FROM handoffs) + (SELECT count(*) FROM meta) AS n`,
      )
      .get() as {n: number}
    if (stored.n !== 4) problems.push('a valid record was silently dropped on insert: a trigger was added or altered')
    const must: [string, string, string][] = [
      ['events_no_update', `UPDATE events SET note = 'x'`, 'an UPDATE of events'],
      ['events_no_delete', `DELETE FROM events`, 'a DELETE of events'],
      ['events_chain', event(3, 'h1', 'h3'), 'an event that skips a seq'],
      ['events_chain', event(2, 'nope', 'h2'), 'an event that does not link to the previous one'],
      ['events_chain', event(1, 'h1', 'hx', 'probe-c'), 'a first event with a previous hash'],
      ['acks_no_update', `UPDATE acks SET state = 'rejected'`, 'an UPDATE of acks'],
      ['acks_no_delete', `DELETE FROM acks`, 'a DELETE of acks'],
      ['acks_chain', ack(3, 'a1', 'a3'), 'an ack that skips a seq'],
      ['acks_chain', ack(2, 'a1', 'a2', 'wrong'), 'an ack naming another version of its event'],
      ['handoffs_no_update', `UPDATE handoffs SET last_seq = 9`, 'an UPDATE of handoffs'],
      ['handoffs_no_delete', `DELETE FROM handoffs`, 'a DELETE of handoffs'],
      ['handoffs_chain', handoff(2, 'nope'), 'a hand-off record that does not link to the previous one'],
      ['meta_no_update', `UPDATE meta SET value = 'w'`, 'an UPDATE of meta (the owner)'],
      ['meta_no_delete', `DELETE FROM meta`, 'a DELETE of meta (the owner)'],
    ]
    for (const [guard, sql, what] of must)
      if (!refused(sql))
        problems.push(`${what} is not refused: trigger ${guard} does not guard the table (missing or altered)`)
  } finally {
    scratch.close()
  }
  return problems
}
