import {SEVERITIES, type Finding, type Inventory, type Severity} from '../model/types.js'
import {LedgerError, ledgerError} from './errors.js'
import {hashAck} from './hash.js'
import {indexInventory} from '../inventory/index-by-id.js'
import {insertAck} from './rows.js'
import {prepare, type LedgerDb} from './store.js'
import type {AckState, LedgerAck} from '../model/ledger.js'

/** The result of a re-check of one event, to be recorded as an acknowledgement. */
export interface AckInput {
  /** The acknowledging company (the re-checker), never the event's issuer. */
  acker: string
  /** The event re-checked, named by issuer, seq and hash so an ack can never drift to another event. */
  event: {issuer: string; seq: number; hash: string}
  /** Every finding of the re-check audit of that terminal. */
  findings: readonly Finding[]
  /** The person who ran the re-check. */
  actor?: string
  /** When the facts were collected / the check ran; defaults to `now`. */
  checked_at?: string
  note?: string
  /** Findings at or above this severity (and not waived) reject the event. Default `high`. */
  failOn?: Severity
  /** Re-check an event already acknowledged: the new ack supersedes the earlier one (which stays in the chain). */
  supersede?: boolean
}

/** `rejected` when any unwaived finding is at or above `failOn`, else `verified`. */
export function ackStateFor(findings: readonly Finding[], failOn: Severity = 'high'): AckState {
  const limit = SEVERITIES.indexOf(failOn)
  return findings.some((f) => !f.waiver && SEVERITIES.indexOf(f.severity) <= limit) ? 'rejected' : 'verified'
}

/** The latest seq and hash of the acks chain from `acker` about `issuer`'s events. */
export function ackChainHead(
  db: LedgerDb,
  acker: string,
  issuer: string,
): {seq: number; hash: string | null; imported: boolean} {
  const row = prepare<[string, string], {seq: number; hash: string; imported_at: string | null}>(
    db,
    'SELECT seq, hash, imported_at FROM acks WHERE acker = ? AND issuer = ? ORDER BY seq DESC LIMIT 1',
  ).get(acker, issuer)
  return row
    ? {seq: row.seq, hash: row.hash, imported: row.imported_at !== null}
    : {seq: 0, hash: null, imported: false}
}

/**
 * Records the acknowledgement of one event: a new chained record by the acknowledging company, never an edit of
 * the event. A later re-check of the same event (`supersede`) adds a new ack; the latest one counts.
 */
export function recordAck(db: LedgerDb, inventory: Inventory, input: AckInput, now: Date): LedgerAck {
  const {acker, event} = input
  {
    const index = indexInventory(inventory)
    const problems = []
    const [mine, theirs] = [index.companies.get(acker), index.companies.get(event.issuer)]
    if (!mine) problems.push({code: 'E_REF', message: `unknown company "${acker}" (acker)`})
    else if (theirs && mine.side === theirs.side && acker !== event.issuer)
      // The re-check is the other company's: a second company on the issuer's own side vouching for it is the
      // barrier excusing itself.
      problems.push({
        code: 'E_BARRIER',
        message: `${acker} (${mine.side}) cannot acknowledge ${event.issuer}#${event.seq}: ${event.issuer} is on the same side (${theirs.side}); only a company on the other side of the barrier may acknowledge it`,
      })
    else if (!theirs)
      problems.push({
        code: 'E_REF',
        message: `unknown company "${event.issuer}" (issuer of ${event.issuer}#${event.seq})`,
      })
    if (input.actor !== undefined) {
      const person = index.people.get(input.actor)
      if (!person) problems.push({code: 'E_REF', message: `unknown person "${input.actor}" (actor)`})
      else if (person.company !== acker)
        problems.push({
          code: 'E_DELEGATION',
          message: `actor "${input.actor}" is of company ${person.company}, not the acknowledging ${acker}`,
        })
    }
    if (problems.length > 0) throw new LedgerError(problems)
  }
  if (acker === event.issuer)
    throw ledgerError(
      'E_SEPARATION',
      `${acker} cannot acknowledge its own event ${event.issuer}#${event.seq}: the other company re-checks it`,
    )
  const write = db.transaction((): LedgerAck => {
    const stored = prepare<[string, number], {hash: string}>(
      db,
      'SELECT hash FROM events WHERE issuer = ? AND seq = ?',
    ).get(event.issuer, event.seq)
    if (!stored) throw ledgerError('E_REF', `no event ${event.issuer}#${event.seq} in this ledger`)
    if (stored.hash !== event.hash)
      throw ledgerError(
        'E_REF',
        `event ${event.issuer}#${event.seq} has hash ${stored.hash.slice(0, 12)}…, not ${event.hash.slice(0, 12)}…`,
      )
    const existing = prepare<[string, string, number], {seq: number; state: string}>(
      db,
      'SELECT seq, state FROM acks WHERE acker = ? AND issuer = ? AND event_seq = ? ORDER BY seq DESC LIMIT 1',
    ).get(acker, event.issuer, event.seq)
    if (existing && !input.supersede)
      throw ledgerError(
        'E_ACK_EXISTS',
        `event ${event.issuer}#${event.seq} is already acknowledged (${existing.state}, ack #${existing.seq})`,
        {
          hint: `re-check it again with ledger recheck --event ${event.issuer}#${event.seq}: the new ack supersedes this one`,
        },
      )
    const head = ackChainHead(db, acker, event.issuer)
    if (head.imported)
      throw ledgerError(
        'E_CHAIN_IMPORTED',
        `the acks of ${acker} about ${event.issuer} are imported; only ${acker} can extend them`,
      )
    const body: Omit<LedgerAck, 'hash'> = {
      acker,
      issuer: event.issuer,
      seq: head.seq + 1,
      event_seq: event.seq,
      event_hash: event.hash,
      state: ackStateFor(input.findings, input.failOn),
      // Through JSON once so `undefined` fields vanish and the stored, hashed and exported forms are identical.
      evidence: JSON.parse(JSON.stringify(input.findings)) as Finding[],
      actor: input.actor ?? null,
      checked_at: input.checked_at ?? now.toISOString(),
      recorded_at: now.toISOString(),
      note: input.note ?? null,
      prev_hash: head.hash,
    }
    const ack: LedgerAck = {...body, hash: hashAck(body)}
    insertAck(db, ack, null)
    return ack
  })
  return write.immediate()
}
