import {eventFromRow} from './rows.js'
import {prepare, type LedgerDb} from './store.js'
import {toIso} from '../io/time.js'
import type {AckState, EventKind, EventWithState} from '../model/ledger.js'

/** Filters for {@link listEvents}; all optional, combined with AND. */
export interface EventFilter {
  terminal?: string
  /** Matches the site or, for a move, the site it came from. */
  site?: string
  kind?: EventKind
  issuer?: string
  /** Events that happened at or after this time. */
  since?: Date | string
  /** Events that happened at or before this time (a terminal's ledger state on a date). */
  until?: Date | string
  /** Only events no other company has acknowledged yet. */
  unacknowledged?: boolean
  /**
   * The companies and their sides: when given, only an ack by a company on the other side of the barrier from the
   * event's issuer counts (one that is not is ignored here and reported by `verifyLedger`).
   */
  companies?: readonly {id: string; side: string}[]
}

type Row = Record<string, unknown> & {
  imported_at: string | null
  handed_off: number
  ack_acker: string | null
  ack_seq: number | null
  ack_state: AckState | null
  ack_checked_at: string | null
  ack_recorded_at: string | null
  ack_evidence_count: number | null
}

// The latest ack of each event (by recorded_at, then seq): a re-check's new ack supersedes the earlier one.
const SELECT = `
  SELECT e.*, a.acker AS ack_acker, a.seq AS ack_seq, a.state AS ack_state, a.checked_at AS ack_checked_at,
         a.recorded_at AS ack_recorded_at, json_array_length(a.evidence) AS ack_evidence_count,
         (e.imported_at IS NOT NULL OR e.seq <= COALESCE((SELECT MAX(h.last_seq) FROM handoffs h
            WHERE h.direction = 'out' AND h.type = 'events' AND h.issuer = e.issuer), 0)) AS handed_off
  FROM events e
  LEFT JOIN acks a ON a.rowid = (
    SELECT rowid FROM acks x WHERE x.issuer = e.issuer AND x.event_seq = e.seq
      AND (@sides IS NULL OR json_extract(@sides, '$."' || x.acker || '"') IS NOT json_extract(@sides, '$."' || x.issuer || '"')
        AND json_extract(@sides, '$."' || x.acker || '"') IS NOT NULL AND json_extract(@sides, '$."' || x.issuer || '"') IS NOT NULL)
      ORDER BY x.recorded_at DESC, x.seq DESC LIMIT 1)
  WHERE (@terminal IS NULL OR e.terminal = @terminal)
    AND (@site IS NULL OR e.site = @site OR e.from_site = @site)
    AND (@kind IS NULL OR e.kind = @kind)
    AND (@issuer IS NULL OR e.issuer = @issuer)
    AND (@since IS NULL OR julianday(e.occurred_at) >= julianday(@since))
    AND (@until IS NULL OR julianday(e.occurred_at) <= julianday(@until))
    AND (@unacknowledged = 0 OR a.acker IS NULL)
  ORDER BY e.issuer, e.seq`

/** Events with their acknowledgement state, ordered by issuer then seq. */
export function listEvents(db: LedgerDb, filter: EventFilter = {}): EventWithState[] {
  const rows = prepare<[Record<string, unknown>], Row>(db, SELECT).all({
    terminal: filter.terminal ?? null,
    site: filter.site ?? null,
    kind: filter.kind ?? null,
    issuer: filter.issuer ?? null,
    since: filter.since === undefined ? null : toIso(filter.since),
    until: filter.until === undefined ? null : toIso(filter.until),
    unacknowledged: filter.unacknowledged ? 1 : 0,
    sides: filter.companies ? JSON.stringify(Object.fromEntries(filter.companies.map((c) => [c.id, c.side]))) : null,
  })
  return rows.map((row) => {
    const {
      ack_acker,
      ack_seq,
      ack_state,
      ack_checked_at,
      ack_recorded_at,
      ack_evidence_count,
      imported_at,
      handed_off,
    } = row
    return {
      ...eventFromRow(row),
      imported_at,
      handed_off: handed_off === 1,
      ack:
        ack_acker === null
          ? null
          : {
              acker: ack_acker,
              seq: ack_seq!,
              state: ack_state!,
              checked_at: ack_checked_at!,
              recorded_at: ack_recorded_at!,
              evidence_count: ack_evidence_count ?? 0,
            },
    }
  })
}
