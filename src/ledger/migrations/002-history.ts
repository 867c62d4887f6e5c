import type {Migration} from './types.js'

/** Audit history: each run, its findings, the facts it used and the declared terminals it saw. */
export const migration: Migration = {
  version: 2,
  name: 'history',
  up(db) {
    db.exec(`
      CREATE TABLE runs (
        id             INTEGER PRIMARY KEY,
        started_at     TEXT    NOT NULL,
        finished_at    TEXT,
        inventory_root TEXT    NOT NULL,
        finding_count  INTEGER NOT NULL,
        meta           TEXT
      ) STRICT;
      CREATE INDEX runs_started ON runs (started_at);

      CREATE TABLE run_findings (
        run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        rule     TEXT    NOT NULL,
        terminal TEXT    NOT NULL,
        severity TEXT    NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
        waived   INTEGER NOT NULL CHECK (waived IN (0, 1)),
        finding  TEXT    NOT NULL
      ) STRICT;
      CREATE INDEX run_findings_key ON run_findings (run_id, rule, terminal);
      CREATE INDEX run_findings_terminal ON run_findings (terminal, run_id);

      CREATE TABLE run_facts (
        run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        ordinal      INTEGER NOT NULL,
        terminal     TEXT,
        collected_at TEXT,
        outcome      TEXT,
        facts        TEXT    NOT NULL,
        PRIMARY KEY (run_id, ordinal)
      ) STRICT;
      CREATE INDEX run_facts_terminal ON run_facts (terminal, run_id);

      CREATE TABLE run_terminals (
        run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        terminal TEXT    NOT NULL,
        declared TEXT    NOT NULL,
        PRIMARY KEY (run_id, terminal)
      ) STRICT;
      CREATE INDEX run_terminals_terminal ON run_terminals (terminal, run_id);
    `)
  },
}
