import {createHash} from 'node:crypto'

import type {Migration} from './types.js'

/** The append-only guards of a table (the same text as 001's). */
export const appendOnly = (table: string): string => `
  CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${table} are append-only: record a new entry instead of editing one'); END;
  CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${table} are append-only: record a new entry instead of deleting one'); END;`

/**
 * The fields of a `handoffs` row its `entry_hash` covers, in a fixed order (kept here, not imported from the
 * library: a migration must hash rows the way they were hashed when it was written).
 */
export const HANDOFF_ENTRY_FIELDS = [
  'id',
  'direction',
  'type',
  'issuer',
  'recipient',
  'first_seq',
  'last_seq',
  'count',
  'added',
  'prev_hash',
  'last_hash',
  'signature',
  'at',
  'heads',
  'sender_key',
  'entry_prev',
] as const

/** sha256 over the JSON array of the row's fields in {@link HANDOFF_ENTRY_FIELDS} order. */
export function handoffEntryHash(row: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify(HANDOFF_ENTRY_FIELDS.map((f) => row[f] ?? null)))
    .digest('hex')
}

/**
 * The two-company trust model:
 * - `meta`: whose ledger this is (`owner`, recorded at first use), append-only;
 * - `acks` rebuilt without UNIQUE (acker, issuer, event_seq): a re-check of an event records a new ack that supersedes
 *   the earlier one instead of editing it;
 * - `handoffs` becomes a hash chain of its own (`entry_prev`, `entry_hash`), append-only, and keeps the signed chain
 *   heads each hand-off carried (`heads`) with the sender's public key (`sender_key`), so `verify` can re-check them.
 */
export const migration: Migration = {
  version: 3,
  name: 'trust',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL,
        at    TEXT NOT NULL
      ) STRICT;
      ${appendOnly('meta')}

      CREATE TABLE acks_v3 (
        acker       TEXT    NOT NULL,
        issuer      TEXT    NOT NULL,
        seq         INTEGER NOT NULL CHECK (seq >= 1),
        event_seq   INTEGER NOT NULL,
        event_hash  TEXT    NOT NULL,
        state       TEXT    NOT NULL CHECK (state IN ('verified', 'rejected')),
        evidence    TEXT    NOT NULL,
        actor       TEXT,
        checked_at  TEXT    NOT NULL,
        recorded_at TEXT    NOT NULL,
        note        TEXT,
        prev_hash   TEXT,
        hash        TEXT    NOT NULL,
        imported_at TEXT,
        PRIMARY KEY (acker, issuer, seq),
        CHECK (acker <> issuer),
        FOREIGN KEY (issuer, event_seq) REFERENCES events (issuer, seq)
      ) STRICT;
      INSERT INTO acks_v3 SELECT acker, issuer, seq, event_seq, event_hash, state, evidence, actor, checked_at, recorded_at, note, prev_hash, hash, imported_at FROM acks;
      DROP TABLE acks;
      ALTER TABLE acks_v3 RENAME TO acks;
      CREATE INDEX acks_event ON acks (issuer, event_seq);
      CREATE TRIGGER acks_chain BEFORE INSERT ON acks
      WHEN NOT CASE WHEN NEW.seq = 1 THEN NEW.prev_hash IS NULL
        ELSE EXISTS (SELECT 1 FROM acks WHERE acker = NEW.acker AND issuer = NEW.issuer AND seq = NEW.seq - 1 AND hash = NEW.prev_hash) END
        OR NEW.event_hash IS NOT (SELECT hash FROM events WHERE issuer = NEW.issuer AND seq = NEW.event_seq)
      BEGIN SELECT RAISE(ABORT, 'acks must extend their chain and name the hash of the event they acknowledge'); END;
      ${appendOnly('acks')}

      ALTER TABLE handoffs ADD COLUMN heads TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE handoffs ADD COLUMN sender_key TEXT;
      ALTER TABLE handoffs ADD COLUMN entry_prev TEXT;
      ALTER TABLE handoffs ADD COLUMN entry_hash TEXT NOT NULL DEFAULT '';
    `)
    // Existing hand-off records join the new chain in the order they were written.
    let prev: string | null = null
    const rows = db.prepare('SELECT * FROM handoffs ORDER BY id').all() as Record<string, unknown>[]
    const update = db.prepare('UPDATE handoffs SET entry_prev = ?, entry_hash = ? WHERE id = ?')
    for (const row of rows) {
      const hash = handoffEntryHash({...row, entry_prev: prev})
      update.run(prev, hash, row.id)
      prev = hash
    }
    db.exec(`
      CREATE TRIGGER handoffs_chain BEFORE INSERT ON handoffs
      WHEN NEW.entry_prev IS NOT (SELECT entry_hash FROM handoffs ORDER BY id DESC LIMIT 1)
        OR NEW.id <= COALESCE((SELECT MAX(id) FROM handoffs), 0)
      BEGIN SELECT RAISE(ABORT, 'handoffs must extend their chain: next id, previous entry hash'); END;
      ${appendOnly('handoffs')}
    `)
  },
}
