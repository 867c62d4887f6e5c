import type {Problem} from '../model/errors.js'
import type {Company} from '../model/types.js'
import {LedgerError} from './errors.js'
import {readHandoff, type VerifiedHandoff} from './handoff-check.js'
import {parseHandoff} from './handoff-format.js'
import {listEvents} from './list.js'
import type {LedgerDb} from './store.js'
import type {AckSummary, LedgerAck, LedgerEvent} from '../model/ledger.js'
import {MAX_HANDOFF_FILE_SIZE, readTextFileSync} from '../io/read.js'

/** An event as rules see it: the record and its latest acknowledgement. */
export interface ViewEvent extends LedgerEvent {
  /** Exported to (or imported from) the other company; always true for events read from hand-off files. */
  handed_off: boolean
  ack: AckSummary | null
}

/** A read-only snapshot of the ledger for rule evaluators: no database handle, no I/O. */
export interface LedgerView {
  source: 'database' | 'files'
  /** Every event, by issuer then seq. */
  events: readonly ViewEvent[]
  /** Events of each terminal, oldest first (by occurred_at, then issuer and seq). */
  byTerminal: Readonly<Record<string, readonly ViewEvent[]>>
  /** Each issuer's chain: what range the snapshot holds. */
  chains: readonly {issuer: string; first_seq: number; last_seq: number; last_hash: string | null}[]
}

/** Snapshot of a ledger database; with `companies`, only acks from across the barrier count. */
export function ledgerView(db: LedgerDb, companies?: readonly Company[]): LedgerView {
  return buildView(
    'database',
    listEvents(db, {companies}).map(({imported_at: _imported, ...event}) => event),
  )
}

/** A view of these events (in chain order), indexed by terminal and by issuer's chain; the events are frozen. */
export function buildView(source: LedgerView['source'], events: ViewEvent[]): LedgerView {
  const byTerminal: Record<string, ViewEvent[]> = {}
  const chains = new Map<string, {issuer: string; first_seq: number; last_seq: number; last_hash: string | null}>()
  for (const event of events) {
    Object.freeze(event.macs)
    Object.freeze(event)
    ;(byTerminal[event.terminal] ??= []).push(event)
    const chain = chains.get(event.issuer)
    if (!chain)
      chains.set(event.issuer, {issuer: event.issuer, first_seq: event.seq, last_seq: event.seq, last_hash: event.hash})
    else if (event.seq > chain.last_seq) Object.assign(chain, {last_seq: event.seq, last_hash: event.hash})
  }
  for (const list of Object.values(byTerminal))
    list.sort(
      (a, b) =>
        Date.parse(a.occurred_at) - Date.parse(b.occurred_at) ||
        (a.issuer < b.issuer ? -1 : a.issuer > b.issuer ? 1 : 0) ||
        a.seq - b.seq,
    )
  return Object.freeze({
    source,
    events: Object.freeze(events),
    byTerminal: Object.freeze(byTerminal),
    chains: Object.freeze([...chains.values()]),
  })
}

/** One hand-off file read by {@link loadHandoffFiles}. */
export interface LoadedHandoffFile {
  file: string
  type: 'events' | 'acks'
  issuer: string
  recipient: string
  first_seq: number
  last_seq: number
}

/**
 * Reads signed hand-off files without a database (CI: `inventory diff --ledger FILE...`): each signature is
 * checked against its issuer's `public_key` in the inventory, lists of one issuer must join into one gapless,
 * consistent chain, and acks must name events of that chain. Throws every problem at once (exit 2).
 */
export function loadHandoffFiles(
  paths: readonly string[],
  companies: readonly Company[],
): {view: LedgerView; files: LoadedHandoffFile[]} {
  const problems: Problem[] = []
  const keys = new Map(companies.map((c) => [c.id, c]))
  const lists: VerifiedHandoff[] = []
  for (const file of paths) {
    try {
      // The shared reader: a FIFO, a device or an oversized file is refused, never waited on.
      const read = readTextFileSync(file, {maxBytes: MAX_HANDOFF_FILE_SIZE})
      if (!read.ok) {
        problems.push({...read.problem, code: read.problem.code === 'E_READ' ? 'E_HANDOFF_READ' : read.problem.code})
        continue
      }

      const text = read.text
      const {issuer} = parseHandoff(text, file).content
      const company = keys.get(issuer)
      if (!company) problems.push({code: 'E_REF', message: `signed by unknown company "${issuer}"`, file})
      else if (!company.public_key)
        problems.push({
          code: 'E_HANDOFF_KEY',
          message: `company ${issuer} has no public_key in the inventory`,
          file,
          hint: 'add its key from `fleet-audit ledger keygen`',
        })
      else lists.push(readHandoff(text, company.public_key, {file}))
    } catch (error) {
      if (error instanceof LedgerError) problems.push(...error.problems)
      else problems.push({code: 'E_HANDOFF_READ', message: `cannot read: ${(error as Error).message}`, file})
    }
  }
  const events = mergeChains(
    lists.filter((l) => l.content.type === 'events'),
    (l) => l.content.issuer,
    problems,
  ) as Map<string, Map<number, LedgerEvent>>
  const acks = mergeChains(
    lists.filter((l) => l.content.type === 'acks'),
    (l) => `${l.content.issuer} → ${l.content.recipient}`,
    problems,
  ) as Map<string, Map<number, LedgerAck>>
  const latest = new Map<string, LedgerAck>()
  for (const chain of acks.values())
    for (const ack of chain.values()) {
      const event = events.get(ack.issuer)?.get(ack.event_seq)
      if (event && event.hash !== ack.event_hash)
        problems.push({
          code: 'E_HANDOFF_REF',
          message: `ack ${ack.acker}#${ack.seq} acknowledges a different version of event ${ack.issuer}#${ack.event_seq}`,
        })
      const [side, issuerSide] = [keys.get(ack.acker)?.side, keys.get(ack.issuer)?.side]
      if (side === undefined || side === issuerSide) {
        problems.push({
          code: 'E_BARRIER',
          message: `ack ${ack.acker}#${ack.seq} of ${ack.issuer}#${ack.event_seq}: ${ack.acker} (${side ?? 'unknown'}) is not on the other side of the barrier from ${ack.issuer} (${issuerSide ?? 'unknown'})`,
        })
        continue
      }
      const key = `${ack.issuer}#${ack.event_seq}`
      const prev = latest.get(key)
      if (!prev || prev.recorded_at < ack.recorded_at || (prev.recorded_at === ack.recorded_at && prev.seq < ack.seq))
        latest.set(key, ack)
    }
  if (problems.length > 0) throw new LedgerError(problems)
  const viewEvents: ViewEvent[] = []
  for (const [issuer, chain] of [...events].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    for (const event of [...chain.values()].sort((a, b) => a.seq - b.seq)) {
      const ack = latest.get(`${issuer}#${event.seq}`)
      viewEvents.push({
        ...event,
        handed_off: true,
        ack: ack
          ? {
              acker: ack.acker,
              seq: ack.seq,
              state: ack.state,
              checked_at: ack.checked_at,
              recorded_at: ack.recorded_at,
              evidence_count: ack.evidence.length,
            }
          : null,
      })
    }
  const files = lists.map((l) => ({
    file: l.file!,
    type: l.content.type,
    issuer: l.content.issuer,
    recipient: l.content.recipient,
    first_seq: l.content.first_seq,
    last_seq: l.content.last_seq,
  }))
  return {view: buildView('files', viewEvents), files}
}

/** Joins the lists of each chain: overlaps must agree, consecutive lists must link, no gap between them. */
function mergeChains(
  lists: VerifiedHandoff[],
  chainOf: (l: VerifiedHandoff) => string,
  problems: Problem[],
): Map<string, Map<number, LedgerEvent | LedgerAck>> {
  const chains = new Map<string, Map<number, LedgerEvent | LedgerAck>>()
  const groups = new Map<string, VerifiedHandoff[]>()
  for (const list of lists) (groups.get(chainOf(list)) ?? groups.set(chainOf(list), []).get(chainOf(list))!).push(list)
  for (const [name, group] of groups) {
    group.sort((a, b) => a.content.first_seq - b.content.first_seq)
    const records = new Map<number, LedgerEvent | LedgerAck>()
    let last = 0
    for (const list of group) {
      const {first_seq, prev_hash} = list.content
      // Without a database the files are the whole record: a chain must be there from its first event.
      if (first_seq > last + 1)
        problems.push({
          code: 'E_HANDOFF_GAP',
          message: `${name}: seq ${last + 1}..${first_seq - 1} missing ${last === 0 ? 'before the first hand-off file' : 'between the hand-off files'}`,
          file: list.file,
          hint: 'commit every hand-off file of the chain, or re-send the range with ledger export --since',
        })
      else if (first_seq > 1 && records.has(first_seq - 1) && records.get(first_seq - 1)!.hash !== prev_hash)
        problems.push({
          code: 'E_HANDOFF_CONFLICT',
          message: `${name}: seq ${first_seq} does not follow seq ${first_seq - 1} of another file`,
          file: list.file,
        })
      for (const record of list.records) {
        const seen = records.get(record.seq)
        if (seen && seen.hash !== record.hash)
          problems.push({
            code: 'E_HANDOFF_CONFLICT',
            message: `${name}: seq ${record.seq} differs between hand-off files`,
            file: list.file,
          })
        records.set(record.seq, record)
        last = Math.max(last, record.seq)
      }
    }
    chains.set(name, records)
  }
  return chains
}
