import {hashAck, hashEvent} from './hash.js'
import {ackFromRow, eventFromRow, type AckRow, type EventRow} from './rows.js'
import {type LedgerDb} from './store.js'

/** What kind of tampering (or damage) a problem points at. */
export type TamperKind = 'edited' | 'deleted' | 'inserted' | 'reordered' | 'relinked' | 'dangling' | 'guard-missing' | 'damaged'

/** One thing wrong with a chain, named by the seq of the record concerned. */
export interface VerifyProblem {
  chain: 'events' | 'acks'
  /** The chain's company: the issuer of events, or the acknowledging company of acks. */
  company: string
  /** For acks: the company whose events they acknowledge. */
  about?: string
  seq?: number
  kind: TamperKind
  message: string
}

/** One chain as found. */
export interface ChainSummary {
  chain: 'events' | 'acks'
  company: string
  about?: string
  count: number
  last_seq: number
  last_hash: string | null
  imported: boolean
}

/** The outcome of {@link verifyLedger}; `ok` is false when there is any problem. */
export interface VerifyResult {
  ok: boolean
  chains: ChainSummary[]
  problems: VerifyProblem[]
}

interface Link {
  seq: number
  hash: string
  prev_hash: string | null
  /** The hash recomputed from the record's content. */
  computed: string
  /** Recomputes the hash as if the record had another seq (to recognise a moved record); only on a mismatch. */
  rehashAt: (seq: number) => string
}

/** rehashAt of an intact record: never called (its hash matched), shared so intact rows keep no closure. */
const same = (): string => ''

const GUARDS = ['events_no_update', 'events_no_delete', 'events_chain', 'acks_no_update', 'acks_no_delete', 'acks_chain']

/**
 * Walks every chain and re-derives every hash. Names the seq of each edited, deleted, inserted or reordered
 * record; also cross-checks the hashes recorded by hand-offs and acknowledgements, which catches a rewrite of a
 * chain's tail that the chain alone cannot, and reports append-only triggers that were dropped.
 */
export function verifyLedger(db: LedgerDb): VerifyResult {
  const problems: VerifyProblem[] = []
  const chains: ChainSummary[] = []
  const present = new Set((db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger'`).all() as {name: string}[]).map((r) => r.name))
  for (const name of GUARDS)
    if (!present.has(name))
      problems.push({
        chain: name.startsWith('acks') ? 'acks' : 'events',
        company: '*',
        kind: 'guard-missing',
        message: `trigger ${name} is missing: the append-only guard was removed behind the ledger's back`,
      })

  // Events, one chain per issuer, streamed in seq order.
  const eventHashes = new Map<string, Map<number, string>>()
  walkGrouped(
    db.prepare('SELECT * FROM events ORDER BY issuer, seq').iterate() as Iterable<EventRow>,
    (row) => row.issuer,
    (row): Link => {
      const event = eventFromRow(row)
      const computed = hashEvent(event)
      return {seq: row.seq, hash: row.hash, prev_hash: row.prev_hash, computed, rehashAt: computed === row.hash ? same : (seq) => hashEvent({...event, seq})}
    },
    (issuer, links, imported) => {
      walkChain(links, (p) => problems.push({chain: 'events', company: issuer, ...p}))
      eventHashes.set(issuer, new Map(links.map((l) => [l.seq, l.hash])))
      chains.push(summary('events', issuer, undefined, links, imported))
    },
  )
  walkGrouped(
    db.prepare('SELECT * FROM acks ORDER BY acker, issuer, seq').iterate() as Iterable<AckRow>,
    (row) => `${row.acker}\u0000${row.issuer}`,
    (row): Link => {
      const ack = ackFromRow(row)
      const hashes = eventHashes.get(row.issuer)
      const eventHash = hashes?.get(row.event_seq)
      if (eventHash === undefined)
        problems.push({chain: 'acks', company: row.acker, about: row.issuer, seq: row.seq, kind: 'dangling', message: `ack ${row.seq} acknowledges event ${row.issuer}#${row.event_seq}, which is missing (deleted)`})
      else if (eventHash !== row.event_hash)
        problems.push({chain: 'events', company: row.issuer, seq: row.event_seq, kind: 'edited', message: `event ${row.event_seq} is not the record that ${row.acker}'s ack ${row.seq} acknowledged (edited or replaced)`})
      const computed = hashAck(ack)
      return {seq: row.seq, hash: row.hash, prev_hash: row.prev_hash, computed, rehashAt: computed === row.hash ? same : (seq) => hashAck({...ack, seq})}
    },
    (key, links, imported) => {
      const [acker, issuer] = key.split('\u0000')
      walkChain(links, (p) => problems.push({chain: 'acks', company: acker, about: issuer, ...p}))
      chains.push(summary('acks', acker, issuer, links, imported))
    },
  )
  checkHandoffs(db, eventHashes, problems)
  return {ok: problems.length === 0, chains, problems}
}

function summary(chain: 'events' | 'acks', company: string, about: string | undefined, links: Link[], imported: boolean): ChainSummary {
  const last = links.at(-1)
  return {chain, company, ...(about ? {about} : {}), count: links.length, last_seq: last?.seq ?? 0, last_hash: last?.hash ?? null, imported}
}

function walkGrouped<R extends {imported_at: string | null}>(rows: Iterable<R>, keyOf: (row: R) => string, toLink: (row: R) => Link, done: (key: string, links: Link[], imported: boolean) => void): void {
  let key: string | undefined
  let links: Link[] = []
  let imported = false
  for (const row of rows) {
    const k = keyOf(row)
    if (k !== key) {
      if (key !== undefined) done(key, links, imported)
      ;[key, links, imported] = [k, [], false]
    }
    if (row.imported_at !== null) imported = true
    links.push(toLink(row))
  }
  if (key !== undefined) done(key, links, imported)
}

type Report = (p: {seq: number; kind: TamperKind; message: string}) => void

/** Checks seq continuity, each record's own hash and each link, and explains a broken link where it can. */
export function walkChain(links: readonly Link[], report: Report): void {
  const seqOfHash = new Map(links.map((l) => [l.hash, l.seq]))
  const bySeq = new Map(links.map((l) => [l.seq, l]))
  /** seq now → the seq its content was hashed with, for records that were renumbered. */
  const movedFrom = new Map<number, number>()
  /** seqs whose link points forward: out of order themselves, so not to be taken for insertions. */
  const forward = new Set<number>()
  let expected = 1
  for (const link of links) {
    if (link.seq > expected) {
      for (let s = expected; s < link.seq && s < expected + 20; s++) report({seq: s, kind: 'deleted', message: `seq ${s} is missing (deleted)`})
      if (link.seq - expected > 20) report({seq: link.seq - 1, kind: 'deleted', message: `seqs ${expected}..${link.seq - 1} are missing (deleted)`})
    }
    expected = link.seq + 1
    if (link.computed !== link.hash) {
      const was = [-3, -2, -1, 1, 2, 3].map((d) => link.seq + d).find((s) => s >= 1 && link.rehashAt(s) === link.hash)
      if (was === undefined) report({seq: link.seq, kind: 'edited', message: `seq ${link.seq}: the content does not match its hash (edited)`})
      else {
        movedFrom.set(link.seq, was)
        report({seq: link.seq, kind: 'reordered', message: `seq ${link.seq} holds the record that was seq ${was} (reordered, or renumbered around an insert or delete)`})
      }
    }
    const previous = bySeq.get(link.seq - 1)
    const wanted = link.seq === 1 ? null : (previous?.hash ?? undefined)
    if (wanted === undefined || link.prev_hash === wanted) continue // a gap is reported above
    const target = link.prev_hash === null ? 0 : seqOfHash.get(link.prev_hash)
    const was = movedFrom.get(link.seq)
    if (target === undefined) {
      if (was !== undefined)
        report({seq: link.seq, kind: 'deleted', message: `the record before seq ${link.seq} (originally seq ${was - 1}) is missing (deleted, later records renumbered)`})
      else if (previous && previous.computed === previous.hash)
        report({seq: link.seq - 1, kind: 'edited', message: `seq ${link.seq - 1} was replaced: seq ${link.seq} links to a different record (edited, hash recomputed)`})
      else if (!previous || previous.computed === previous.hash)
        report({seq: link.seq, kind: 'relinked', message: `seq ${link.seq} links to a record that is not in the chain`})
    } else if (target < link.seq - 1) {
      const inserted: number[] = []
      for (let s = target + 1; s < link.seq; s++) if (!movedFrom.has(s) && !forward.has(s)) inserted.push(s)
      if (inserted.length > 0)
        report({
          seq: inserted[0],
          kind: 'inserted',
          message: `${inserted.length === 1 ? `seq ${inserted[0]} was` : `seqs ${inserted.slice(0, 20).join(', ')}${inserted.length > 20 ? ', …' : ''} were`} inserted (seq ${link.seq} links to seq ${target})`,
        })
    } else if (target >= link.seq) {
      forward.add(link.seq)
      report({seq: link.seq, kind: 'reordered', message: `seq ${link.seq} links to seq ${target}, which comes after it (reordered)`})
    }
  }
}

function checkHandoffs(db: LedgerDb, eventHashes: Map<string, Map<number, string>>, problems: VerifyProblem[]): void {
  const rows = db
    .prepare(`SELECT direction, issuer, recipient, last_seq, last_hash, at FROM handoffs WHERE type = 'events' AND last_seq > 0 AND last_hash IS NOT NULL`)
    .all() as {direction: string; issuer: string; recipient: string; last_seq: number; last_hash: string; at: string}[]
  const seen = new Set<string>()
  for (const h of rows) {
    const key = `${h.issuer}#${h.last_seq}`
    if (seen.has(key)) continue
    const stored = eventHashes.get(h.issuer)?.get(h.last_seq)
    const what = h.direction === 'out' ? `handed to ${h.recipient}` : `imported`
    if (stored === undefined) {
      seen.add(key)
      problems.push({chain: 'events', company: h.issuer, seq: h.last_seq, kind: 'deleted', message: `seq ${h.last_seq} was ${what} on ${h.at} but is missing (deleted)`})
    } else if (stored !== h.last_hash) {
      seen.add(key)
      problems.push({chain: 'events', company: h.issuer, seq: h.last_seq, kind: 'edited', message: `seq ${h.last_seq} differs from the record ${what} on ${h.at} (edited, chain rewritten)`})
    }
  }
}
