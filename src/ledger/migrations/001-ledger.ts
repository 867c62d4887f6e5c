import type {Migration} from './types.js'

/** `PRAGMA application_id` of a fleet-audit database ("FLAU"), so a stranger's SQLite file is never migrated. */
export const APPLICATION_ID = 0x464c4155

const appendOnly = (table: string): string => `
  CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${table} are append-only: record a new entry instead of editing one'); END;
  CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${table} are append-only: record a new entry instead of deleting one'); END;`

/**
 * Events and acknowledgements, each a hash chain. `hash` covers the canonical JSON of every column except the
 * bookkeeping ones (`imported_at`). Hashes are not UNIQUE-indexed: (company, seq) is the key, and a random-order
 * index of 100,000 hashes doubled the cost of a bulk import. The insert triggers keep each chain gapless and linked even for callers that
 * bypass the library; the update/delete triggers make it append-only.
 */
export const migration: Migration = {
  version: 1,
  name: 'ledger',
  up(db) {
    db.pragma(`application_id = ${APPLICATION_ID}`)
    db.exec(`
      CREATE TABLE events (
        issuer      TEXT    NOT NULL,
        seq         INTEGER NOT NULL CHECK (seq >= 1),
        kind        TEXT    NOT NULL CHECK (kind IN ('install', 'remove', 'move', 'reconfigure', 'replace')),
        terminal    TEXT    NOT NULL,
        site        TEXT    NOT NULL,
        zone        TEXT    NOT NULL,
        from_site   TEXT,
        from_zone   TEXT,
        role        TEXT    NOT NULL CHECK (role IN ('nw', 'retail')),
        owner       TEXT    NOT NULL,
        host_key    TEXT,
        serial      TEXT,
        macs        TEXT    NOT NULL,
        actor       TEXT    NOT NULL,
        approver    TEXT    NOT NULL CHECK (approver <> actor),
        delegation  TEXT,
        occurred_at TEXT    NOT NULL,
        recorded_at TEXT    NOT NULL,
        note        TEXT,
        prev_hash   TEXT,
        hash        TEXT    NOT NULL,
        -- NULL for events recorded here; when the chain came in a hand-off, the time it was imported (not hashed).
        imported_at TEXT,
        PRIMARY KEY (issuer, seq)
      ) STRICT;
      CREATE INDEX events_terminal ON events (terminal, issuer, seq);

      -- Seq 1 starts a chain with no previous hash; any other seq must follow the record before it. By induction
      -- (and the primary key) a chain never has a hole or a fork. One index lookup per insert.
      CREATE TRIGGER events_chain BEFORE INSERT ON events
      WHEN NOT CASE WHEN NEW.seq = 1 THEN NEW.prev_hash IS NULL
        ELSE EXISTS (SELECT 1 FROM events WHERE issuer = NEW.issuer AND seq = NEW.seq - 1 AND hash = NEW.prev_hash) END
      BEGIN SELECT RAISE(ABORT, 'events must extend their chain: next seq, previous hash'); END;
      ${appendOnly('events')}

      CREATE TABLE acks (
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
        UNIQUE (acker, issuer, event_seq),
        CHECK (acker <> issuer),
        -- An acknowledgement of an event this database has never seen is meaningless: foreign_keys=ON enforces it.
        FOREIGN KEY (issuer, event_seq) REFERENCES events (issuer, seq)
      ) STRICT;
      CREATE INDEX acks_event ON acks (issuer, event_seq);

      CREATE TRIGGER acks_chain BEFORE INSERT ON acks
      WHEN NOT CASE WHEN NEW.seq = 1 THEN NEW.prev_hash IS NULL
        ELSE EXISTS (SELECT 1 FROM acks WHERE acker = NEW.acker AND issuer = NEW.issuer AND seq = NEW.seq - 1 AND hash = NEW.prev_hash) END
        OR NEW.event_hash IS NOT (SELECT hash FROM events WHERE issuer = NEW.issuer AND seq = NEW.event_seq)
      BEGIN SELECT RAISE(ABORT, 'acks must extend their chain and name the hash of the event they acknowledge'); END;
      ${appendOnly('acks')}

      -- Every hand-off written or read: "since the last export" and the hashes handed over, which verify re-checks.
      CREATE TABLE handoffs (
        id         INTEGER PRIMARY KEY,
        direction  TEXT    NOT NULL CHECK (direction IN ('out', 'in')),
        type       TEXT    NOT NULL CHECK (type IN ('events', 'acks')),
        issuer     TEXT    NOT NULL,
        recipient  TEXT    NOT NULL,
        first_seq  INTEGER NOT NULL,
        last_seq   INTEGER NOT NULL,
        count      INTEGER NOT NULL,
        added      INTEGER NOT NULL,
        prev_hash  TEXT,
        last_hash  TEXT,
        signature  TEXT    NOT NULL,
        at         TEXT    NOT NULL
      ) STRICT;
      CREATE INDEX handoffs_chain ON handoffs (type, issuer, recipient, direction, last_seq);
    `)
  },
}
