import type {Migration} from './types.js'

/**
 * Access-log reviews: each run of `logs analyze` (or `audit --logs`) with its period, sources, the files it read
 * (SHA-256 as stored) and the terminals it saw, so that a period nobody analysed is itself a finding and internal
 * audit can see who reviewed what. Append-only, like the rest of the history.
 */
export const migration: Migration = {
  version: 4,
  name: 'log-reviews',
  up(db) {
    db.exec(`
      CREATE TABLE log_reviews (
        id                INTEGER PRIMARY KEY,
        recorded_at       TEXT    NOT NULL,
        period_from       TEXT    NOT NULL,
        period_to         TEXT    NOT NULL CHECK (period_to >= period_from),
        timezone          TEXT    NOT NULL,
        inventory_root    TEXT    NOT NULL,
        rows              INTEGER NOT NULL,
        unparseable       INTEGER NOT NULL,
        finding_count     INTEGER NOT NULL,
        terminals_covered TEXT    NOT NULL,
        run_id            INTEGER REFERENCES runs (id)
      ) STRICT;
      CREATE INDEX log_reviews_period ON log_reviews (period_from, period_to);

      CREATE TABLE log_review_sources (
        review_id INTEGER NOT NULL REFERENCES log_reviews (id),
        source    TEXT    NOT NULL,
        PRIMARY KEY (review_id, source)
      ) STRICT;

      CREATE TABLE log_review_files (
        review_id   INTEGER NOT NULL REFERENCES log_reviews (id),
        source      TEXT    NOT NULL,
        path        TEXT    NOT NULL,
        sha256      TEXT    NOT NULL CHECK (length(sha256) = 64),
        bytes       INTEGER NOT NULL,
        rows        INTEGER NOT NULL,
        unparseable INTEGER NOT NULL,
        PRIMARY KEY (review_id, path)
      ) STRICT;

      CREATE TRIGGER log_reviews_no_update BEFORE UPDATE ON log_reviews
      BEGIN SELECT RAISE(ABORT, 'log reviews are append-only'); END;
      CREATE TRIGGER log_reviews_no_delete BEFORE DELETE ON log_reviews
      BEGIN SELECT RAISE(ABORT, 'log reviews are append-only'); END;
      CREATE TRIGGER log_review_files_no_update BEFORE UPDATE ON log_review_files
      BEGIN SELECT RAISE(ABORT, 'log reviews are append-only'); END;
      CREATE TRIGGER log_review_files_no_delete BEFORE DELETE ON log_review_files
      BEGIN SELECT RAISE(ABORT, 'log reviews are append-only'); END;
    `)
  },
}
