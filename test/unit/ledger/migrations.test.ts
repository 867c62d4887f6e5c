import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {MIGRATIONS, PAGE_SIZE, SCHEMA_VERSION, openLedger, schemaVersion} from '../../../src/ledger/index.js'
import {sqlite, tempDir} from '../../commands/ledger/support.js'

let dir: string
let cleanup: () => void
beforeEach(() => ({dir, cleanup} = tempDir()))
afterEach(() => cleanup())

const tables = (path: string): string[] =>
  sqlite(path, `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).trim().split('\n').filter(Boolean)

describe('migrations', () => {
  it('are numbered 1..n in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length)
  })

  it('001-ledger creates STRICT append-only events and acks on a fresh file', () => {
    const path = join(dir, 'l.sqlite')
    const db = openLedger(path, {targetVersion: 1})
    expect(schemaVersion(db)).toBe(1)
    db.close()
    expect(tables(path)).toEqual(['acks', 'events', 'handoffs'])
    expect(
      sqlite(path, `SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name`).trim().split('\n'),
    ).toEqual([
      'acks_chain',
      'acks_no_delete',
      'acks_no_update',
      'events_chain',
      'events_no_delete',
      'events_no_update',
    ])
    for (const t of ['events', 'acks', 'handoffs'])
      expect(sqlite(path, `SELECT strict FROM pragma_table_list WHERE name = '${t}'`).trim()).toBe('1')
    expect(sqlite(path, 'PRAGMA application_id').trim()).toBe(String(0x464c4155))
    expect(sqlite(path, 'PRAGMA journal_mode').trim()).toBe('wal')
  })

  it('002-history adds runs, run_findings, run_facts and run_terminals to a version-1 file', () => {
    const path = join(dir, 'l.sqlite')
    openLedger(path, {targetVersion: 1}).close()
    const db = openLedger(path, {targetVersion: 2})
    expect(schemaVersion(db)).toBe(2)
    expect(db.pragma('foreign_keys', {simple: true})).toBe(1)
    db.close()
    expect(tables(path)).toEqual(['acks', 'events', 'handoffs', 'run_facts', 'run_findings', 'run_terminals', 'runs'])
    for (const t of ['runs', 'run_findings', 'run_facts', 'run_terminals'])
      expect(sqlite(path, `SELECT strict FROM pragma_table_list WHERE name = '${t}'`).trim()).toBe('1')
  })

  it('a STRICT table refuses a value of the wrong type', () => {
    const path = join(dir, 'l.sqlite')
    openLedger(path).close()
    expect(() =>
      sqlite(path, `INSERT INTO runs (started_at, inventory_root, finding_count) VALUES ('x', 'y', 'many')`),
    ).toThrow(/cannot store TEXT value in INTEGER column/)
  })

  it('a new ledger has 16 KiB pages; a file made with 4 KiB pages keeps them and is migrated to the current schema', () => {
    const fresh = join(dir, 'new.sqlite')
    openLedger(fresh).close()
    expect(sqlite(fresh, 'PRAGMA page_size').trim()).toBe(String(PAGE_SIZE))
    const old = join(dir, 'old.sqlite')
    sqlite(old, 'PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x); DROP TABLE t;')
    const db = openLedger(old)
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION)
    db.close()
    expect(sqlite(old, 'PRAGMA page_size').trim()).toBe('4096')
    expect(tables(old)).toContain('events')
  })

  it('re-opening is a no-op', () => {
    const path = join(dir, 'l.sqlite')
    openLedger(path).close()
    const db = openLedger(path)
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION)
    db.close()
  })

  it('a database newer than the code is refused with a clear message', () => {
    const path = join(dir, 'l.sqlite')
    openLedger(path).close()
    sqlite(path, `PRAGMA user_version = ${SCHEMA_VERSION + 1}`)
    expect(() => openLedger(path)).toThrow(
      expect.objectContaining({
        code: 'E_DB_NEWER',
        message: expect.stringContaining(`schema version ${SCHEMA_VERSION + 1}, newer than this fleet-audit`),
      }),
    )
  })

  it('an unrelated SQLite file is refused, not migrated', () => {
    const path = join(dir, 'other.sqlite')
    sqlite(path, 'CREATE TABLE t (x)')
    expect(() => openLedger(path)).toThrow(expect.objectContaining({code: 'E_DB_FOREIGN'}))
    expect(tables(path)).toEqual(['t'])
  })

  it('readonly refuses a missing file and does not create it', () => {
    expect(() => openLedger(join(dir, 'nope.sqlite'), {readonly: true})).toThrow(
      expect.objectContaining({code: 'E_DB_MISSING'}),
    )
    expect(existsSync(join(dir, 'nope.sqlite'))).toBe(false)
  })

  it('003-trust keeps the acks and hand-off records of a version-2 file, chains the hand-off records and adds meta', () => {
    const path = join(dir, 'l.sqlite')
    openLedger(path, {targetVersion: 2}).close()
    const at = "'2026-11-27T00:00:00Z'"
    sqlite(
      path,
      `INSERT INTO events (issuer, seq, kind, terminal, site, zone, role, owner, macs, actor, approver, occurred_at, recorded_at, hash) VALUES ('r', 1, 'install', 't', 's', 'z', 'retail', 'r', '[]', 'a', 'b', ${at}, ${at}, 'h1');
      INSERT INTO acks (acker, issuer, seq, event_seq, event_hash, state, evidence, checked_at, recorded_at, hash) VALUES ('n', 'r', 1, 1, 'h1', 'verified', '[]', ${at}, ${at}, 'a1');
      INSERT INTO handoffs (direction, type, issuer, recipient, first_seq, last_seq, count, added, signature, at) VALUES ('in', 'events', 'r', 'n', 1, 1, 1, 1, 's', ${at}), ('out', 'acks', 'n', 'r', 1, 1, 1, 1, 's', ${at});`,
    )
    const db = openLedger(path, {targetVersion: 3})
    expect(schemaVersion(db)).toBe(3)
    db.close()
    expect(tables(path)).toContain('meta')
    expect(sqlite(path, 'SELECT acker, seq, state FROM acks').trim()).toBe('n|1|verified')
    const rows = sqlite(path, 'SELECT id, entry_prev IS NULL, length(entry_hash) FROM handoffs ORDER BY id')
      .trim()
      .split('\n')
    expect(rows).toEqual(['1|1|64', '2|0|64'])
    // A second ack of the same event is now allowed (a re-check supersedes), and the guards hold on every table.
    sqlite(path, `INSERT INTO meta (key, value, at) VALUES ('owner', 'n', ${at})`)
    for (const t of ['meta', 'handoffs', 'acks']) expect(() => sqlite(path, `DELETE FROM ${t}`)).toThrow(/append-only/)
    expect(sqlite(path, `SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'`).trim()).toBe('11')
  })
})
