import type {Company} from '../model/types.js'
import {checkGuards} from './guards.js'
import {hashAck, hashEvent} from './hash.js'
import {chainName, headDisagreement, headSignedBy, type ChainHead} from './heads.js'
import {keyFingerprint, readPublicKey} from './keys.js'
import {handoffEntryHash} from './migrations/index.js'
import {ledgerOwner, type LedgerOwner} from './owner.js'
import {ACK_FIELDS, EVENT_FIELDS} from '../model/ledger-fields.js'
import {ACK_RECORD_COLUMNS, EVENT_RECORD_COLUMNS, ackFromRaw, eventFromRaw, type RawRow} from './rows.js'
import {type LedgerDb} from './store.js'

/** What kind of tampering (or damage) a problem points at. */
export type TamperKind =
  | 'edited'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'relinked'
  | 'dangling'
  | 'guard-missing'
  | 'damaged'
  | 'forged'
  | 'barrier'

/** One thing wrong with a chain, named by the seq of the record concerned (for `handoffs`, the record's id). */
export interface VerifyProblem {
  chain: 'events' | 'acks' | 'handoffs' | 'guards'
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
  /** Whose ledger this is (recorded at first use). */
  owner: LedgerOwner | null
  chains: ChainSummary[]
  /** Hand-off records checked, and the signed chain heads of other companies among them. */
  handoffs: number
  heads: number
  problems: VerifyProblem[]
}

/** Options for {@link verifyLedger}. */
export interface VerifyOptions {
  /**
   * The inventory's companies: signed heads are then checked against each company's declared `public_key` (not only
   * the key stored with them), and every ack must come from across the barrier.
   */
  companies?: readonly Company[]
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

/** The hash of the link made last: the next record's prev_hash, when intact, is the same text. */
let lastHash: string | undefined

/**
 * A link keeps three hashes of 64 characters, as three strings read and computed separately: 100,000 links kept
 * 25 MB of equal strings. Equal ones now share one string (same values, so nothing the checks see changes).
 */
function shareStrings(link: Link): Link {
  if (link.computed === link.hash) link.computed = link.hash
  if (link.prev_hash !== null && link.prev_hash === lastHash) link.prev_hash = lastHash
  lastHash = link.hash
  return link
}

/**
 * Walks every chain — events, acks and the hand-off records — and re-derives every hash. Names the seq of each
 * edited, deleted, inserted or reordered record; cross-checks the hashes recorded by hand-offs and acknowledgements
 * and the chain heads the other company signed, which catch a rewrite of a chain's tail that the chain alone cannot;
 * and tests the append-only guards by what they do.
 */
export function verifyLedger(db: LedgerDb, options: VerifyOptions = {}): VerifyResult {
  const problems: VerifyProblem[] = []
  const chains: ChainSummary[] = []
  for (const p of checkGuards(db)) problems.push({chain: 'guards', company: '*', kind: 'guard-missing', message: p})

  // Events, one chain per issuer, streamed in seq order: raw rows (no column-name keys), the record's columns then
  // imported_at.
  const eventHashes = new Map<string, (seq: number) => string | undefined>()
  const sides = options.companies ? new Map(options.companies.map((c) => [c.id, c.side as string])) : undefined
  const eventImported = EVENT_FIELDS.length
  walkGrouped(
    db
      .prepare(`SELECT ${EVENT_RECORD_COLUMNS}, imported_at FROM events ORDER BY issuer, seq`)
      .raw(true)
      .iterate() as Iterable<RawRow>,
    (row) => row[0] as string,
    (row) => row[eventImported] !== null,
    (row): Link => {
      const event = eventFromRaw(row)
      const computed = hashEvent(event)
      return shareStrings({
        seq: event.seq,
        hash: event.hash,
        prev_hash: event.prev_hash,
        computed,
        rehashAt: computed === event.hash ? same : (seq) => hashEvent({...event, seq}),
      })
    },
    (issuer, links, imported) => {
      walkChain(links, (p) => problems.push({chain: 'events', company: issuer, ...p}))
      eventHashes.set(issuer, hashLookup(links))
      chains.push(summary('events', issuer, undefined, links, imported))
    },
  )
  const ackImported = ACK_FIELDS.length
  walkGrouped(
    db
      .prepare(`SELECT ${ACK_RECORD_COLUMNS}, imported_at FROM acks ORDER BY acker, issuer, seq`)
      .raw(true)
      .iterate() as Iterable<RawRow>,
    (row) => `${row[0] as string}\u0000${row[1] as string}`,
    (row) => row[ackImported] !== null,
    (raw): Link => {
      const row = ackFromRaw(raw)
      if (sides) {
        const [mine, theirs] = [sides.get(row.acker), sides.get(row.issuer)]
        if (mine === undefined || mine === theirs)
          problems.push({
            chain: 'acks',
            company: row.acker,
            about: row.issuer,
            seq: row.seq,
            kind: 'barrier',
            message: `ack ${row.seq} is by ${row.acker} (${mine ?? 'not in the inventory'}), not by a company on the other side of the barrier from ${row.issuer} (${theirs ?? 'not in the inventory'}): it does not count`,
          })
      }
      const eventHash = eventHashes.get(row.issuer)?.(row.event_seq)
      if (eventHash === undefined)
        problems.push({
          chain: 'acks',
          company: row.acker,
          about: row.issuer,
          seq: row.seq,
          kind: 'dangling',
          message: `ack ${row.seq} acknowledges event ${row.issuer}#${row.event_seq}, which is missing (deleted)`,
        })
      else if (eventHash !== row.event_hash)
        problems.push({
          chain: 'events',
          company: row.issuer,
          seq: row.event_seq,
          kind: 'edited',
          message: `event ${row.event_seq} is not the record that ${row.acker}'s ack ${row.seq} acknowledged (edited or replaced)`,
        })
      const computed = hashAck(row)
      return shareStrings({
        seq: row.seq,
        hash: row.hash,
        prev_hash: row.prev_hash,
        computed,
        rehashAt: computed === row.hash ? same : (seq) => hashAck({...row, seq}),
      })
    },
    (key, links, imported) => {
      const [acker, issuer] = key.split('\u0000')
      walkChain(links, (p) => problems.push({chain: 'acks', company: acker, about: issuer, ...p}))
      chains.push(summary('acks', acker, issuer, links, imported))
    },
  )
  const owner = ledgerOwner(db) ?? null
  const counts = checkHandoffs(db, chains, owner?.company, options, problems)
  return {ok: problems.length === 0, owner, chains, ...counts, problems}
}

function summary(
  chain: 'events' | 'acks',
  company: string,
  about: string | undefined,
  links: Link[],
  imported: boolean,
): ChainSummary {
  const last = links.at(-1)
  return {
    chain,
    company,
    ...(about ? {about} : {}),
    count: links.length,
    last_seq: last?.seq ?? 0,
    last_hash: last?.hash ?? null,
    imported,
  }
}

/** The hash of a chain's record by seq: by position when the chain is gapless (the usual case), else by a map. */
function hashLookup(links: readonly Link[]): (seq: number) => string | undefined {
  let bySeq: Map<number, string> | undefined
  return (seq) => {
    const at = links[seq - 1]
    if (at?.seq === seq) return at.hash
    if (!bySeq) {
      bySeq = new Map()
      for (const l of links) bySeq.set(l.seq, l.hash)
    }
    return bySeq.get(seq)
  }
}

function walkGrouped<R>(
  rows: Iterable<R>,
  keyOf: (row: R) => string,
  isImported: (row: R) => boolean,
  toLink: (row: R) => Link,
  done: (key: string, links: Link[], imported: boolean) => void,
): void {
  let key: string | undefined
  let links: Link[] = []
  let imported = false
  for (const row of rows) {
    const k = keyOf(row)
    if (k !== key) {
      if (key !== undefined) done(key, links, imported)
      ;[key, links, imported] = [k, [], false]
    }
    if (!imported && isImported(row)) imported = true
    links.push(toLink(row))
  }
  if (key !== undefined) done(key, links, imported)
}

type Report = (p: {seq: number; kind: TamperKind; message: string}) => void

/** Checks seq continuity, each record's own hash and each link, and explains a broken link where it can. */
export function walkChain(links: readonly Link[], report: Report): void {
  if (intact(links)) return
  const seqOfHash = new Map(links.map((l) => [l.hash, l.seq]))
  const bySeq = new Map(links.map((l) => [l.seq, l]))
  /** seq now → the seq its content was hashed with, for records that were renumbered. */
  const movedFrom = new Map<number, number>()
  /** seqs whose link points forward: out of order themselves, so not to be taken for insertions. */
  const forward = new Set<number>()
  let expected = 1
  for (const link of links) {
    if (link.seq > expected) {
      for (let s = expected; s < link.seq && s < expected + 20; s++)
        report({seq: s, kind: 'deleted', message: `seq ${s} is missing (deleted)`})
      if (link.seq - expected > 20)
        report({seq: link.seq - 1, kind: 'deleted', message: `seqs ${expected}..${link.seq - 1} are missing (deleted)`})
    }
    expected = link.seq + 1
    if (link.computed !== link.hash) {
      const was = [-3, -2, -1, 1, 2, 3].map((d) => link.seq + d).find((s) => s >= 1 && link.rehashAt(s) === link.hash)
      if (was === undefined)
        report({
          seq: link.seq,
          kind: 'edited',
          message: `seq ${link.seq}: the content does not match its hash (edited)`,
        })
      else {
        movedFrom.set(link.seq, was)
        report({
          seq: link.seq,
          kind: 'reordered',
          message: `seq ${link.seq} holds the record that was seq ${was} (reordered, or renumbered around an insert or delete)`,
        })
      }
    }
    const previous = bySeq.get(link.seq - 1)
    const wanted = link.seq === 1 ? null : (previous?.hash ?? undefined)
    if (wanted === undefined || link.prev_hash === wanted) continue // a gap is reported above
    const target = link.prev_hash === null ? 0 : seqOfHash.get(link.prev_hash)
    const was = movedFrom.get(link.seq)
    if (target === undefined) {
      if (was !== undefined)
        report({
          seq: link.seq,
          kind: 'deleted',
          message: `the record before seq ${link.seq} (originally seq ${was - 1}) is missing (deleted, later records renumbered)`,
        })
      else if (previous && previous.computed === previous.hash)
        report({
          seq: link.seq - 1,
          kind: 'edited',
          message: `seq ${link.seq - 1} was replaced: seq ${link.seq} links to a different record (edited, hash recomputed)`,
        })
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
      report({
        seq: link.seq,
        kind: 'reordered',
        message: `seq ${link.seq} links to seq ${target}, which comes after it (reordered)`,
      })
    }
  }
}

/** True for a chain with nothing to explain: seqs 1..n, every hash matches its content, every link its predecessor. */
function intact(links: readonly Link[]): boolean {
  let prev: string | null = null
  for (let i = 0; i < links.length; i++) {
    const l = links[i]
    if (l.seq !== i + 1 || l.computed !== l.hash || l.prev_hash !== prev) return false
    prev = l.hash
  }
  return true
}

interface HandoffRow {
  id: number
  direction: 'in' | 'out'
  type: 'events' | 'acks'
  issuer: string
  recipient: string
  last_seq: number
  last_hash: string | null
  at: string
  heads: string
  sender_key: string | null
  entry_prev: string | null
  entry_hash: string
  [key: string]: unknown
}

/**
 * The hand-off records: their own chain (an edited or deleted record is named by id), the last hash of every list
 * sent or received (against the chain it came from), that every imported record arrived in a hand-off kept here, and
 * every signed chain head they carried (signature, signer's key, and the chain it describes).
 */
function checkHandoffs(
  db: LedgerDb,
  chains: ChainSummary[],
  owner: string | undefined,
  options: VerifyOptions,
  problems: VerifyProblem[],
): {handoffs: number; heads: number} {
  const add = (p: Omit<VerifyProblem, 'chain'> & {chain?: VerifyProblem['chain']}): void =>
    void problems.push({chain: 'handoffs', ...p})
  const rows = db.prepare('SELECT * FROM handoffs ORDER BY id').all() as HandoffRow[]
  let prev: string | null = null
  let expectedId = 1
  let headCount = 0
  const covered = new Map<string, number>()
  const keyOf = (type: string, company: string, about: string | null): string =>
    `${type}\u0000${company}\u0000${type === 'acks' ? about : ''}`
  const seen = new Set<string>()
  /** Per chain, the highest seq a valid head signed by the other company vouches for. */
  const signedUpTo = new Map<string, number>()
  for (const row of rows) {
    if (row.id > expectedId)
      add({
        company: '*',
        seq: expectedId,
        kind: 'deleted',
        message: `hand-off record${row.id - expectedId > 1 ? `s ${expectedId}..${row.id - 1} are` : ` ${expectedId} is`} missing (deleted)`,
      })
    expectedId = row.id + 1
    if (handoffEntryHash(row) !== row.entry_hash)
      add({
        company: row.issuer,
        seq: row.id,
        kind: 'edited',
        message: `hand-off record ${row.id} (${row.direction} ${row.type} of ${row.issuer}, ${row.at}) does not match its hash (edited)`,
      })
    else if (row.entry_prev !== prev)
      add({
        company: row.issuer,
        seq: row.id,
        kind: 'relinked',
        message: `hand-off record ${row.id} does not follow record ${row.id - 1} (a record before it was deleted or replaced)`,
      })
    prev = row.entry_hash
    const about = row.type === 'acks' ? row.recipient : null
    // The last record of every list sent or received must still be the one that was handed over.
    if (row.last_seq > 0 && row.last_hash !== null) {
      const key = `${keyOf(row.type, row.issuer, about)}#${row.last_seq}`
      if (!seen.has(key)) {
        const chain = {chain: row.type, company: row.issuer, about}
        const stored = storedHash(db, chain, row.last_seq)
        const what = row.direction === 'out' ? `handed to ${row.recipient}` : 'imported'
        const name = row.type === 'events' ? row.issuer : `${row.issuer} → ${row.recipient}`
        if (stored === undefined) {
          seen.add(key)
          problems.push({
            chain: row.type,
            company: row.issuer,
            ...(about ? {about} : {}),
            seq: row.last_seq,
            kind: 'deleted',
            message: `${row.type} ${name} seq ${row.last_seq} was ${what} on ${row.at} but is missing (deleted)`,
          })
        } else if (stored !== row.last_hash) {
          seen.add(key)
          problems.push({
            chain: row.type,
            company: row.issuer,
            ...(about ? {about} : {}),
            seq: row.last_seq,
            kind: 'edited',
            message: `${row.type} ${name} seq ${row.last_seq} differs from the record ${what} on ${row.at} (edited, chain rewritten)`,
          })
        }
      }
    }
    if (row.direction === 'in') {
      const k = keyOf(row.type, row.issuer, about)
      covered.set(k, Math.max(covered.get(k) ?? 0, row.last_seq))
    }
    headCount += checkRowHeads(db, row, owner, options, problems, signedUpTo)
  }
  // Every imported record came in a hand-off: records beyond the last one kept mean a hand-off record was deleted.
  for (const c of chains) {
    if (!c.imported) continue
    const have = covered.get(keyOf(c.chain, c.company, c.about ?? null)) ?? 0
    if (c.last_seq > have)
      problems.push({
        chain: 'handoffs',
        company: c.company,
        seq: c.last_seq,
        kind: 'deleted',
        message: `${c.chain} ${c.company}${c.about ? ` → ${c.about}` : ''} up to #${c.last_seq} were imported, but the hand-off records kept here end at #${have} (a hand-off record was deleted)`,
      })
    // Every list carries its sender's signed head: an imported chain no such head covers has lost its evidence.
    const signed = signedUpTo.get(keyOf(c.chain, c.company, c.about ?? null)) ?? 0
    if (c.last_seq > signed)
      problems.push({
        chain: c.chain,
        company: c.company,
        ...(c.about ? {about: c.about} : {}),
        seq: c.last_seq,
        kind: 'forged',
        message: `${c.chain} ${c.company}${c.about ? ` → ${c.about}` : ''} up to #${c.last_seq} were imported, but no head signed by ${c.company} vouches for more than #${signed} (the signed heads were removed, or the records were not imported from a signed list)`,
      })
  }
  return {handoffs: rows.length, heads: headCount}
}

function storedHash(
  db: LedgerDb,
  chain: {chain: 'events' | 'acks'; company: string; about: string | null},
  seq: number,
): string | undefined {
  const row =
    chain.chain === 'events'
      ? (db.prepare('SELECT hash FROM events WHERE issuer = ? AND seq = ?').get(chain.company, seq) as
          {hash: string} | undefined)
      : (db
          .prepare('SELECT hash FROM acks WHERE acker = ? AND issuer = ? AND seq = ?')
          .get(chain.company, chain.about, seq) as {hash: string} | undefined)
  return row?.hash
}

/** The heads one hand-off record carried: signed by the sender's key (the inventory's, when given) and still true here. */
function checkRowHeads(
  db: LedgerDb,
  row: HandoffRow,
  owner: string | undefined,
  options: VerifyOptions,
  problems: VerifyProblem[],
  signedUpTo: Map<string, number>,
): number {
  let heads: ChainHead[]
  try {
    heads = JSON.parse(row.heads) as ChainHead[]
    if (!Array.isArray(heads)) throw new Error('not a list')
  } catch {
    problems.push({
      chain: 'handoffs',
      company: row.issuer,
      seq: row.id,
      kind: 'damaged',
      message: `hand-off record ${row.id}: its signed heads are unreadable`,
    })
    return 0
  }
  if (heads.length === 0) return 0
  let key
  try {
    key = readPublicKey(row.sender_key ?? '')
  } catch {
    problems.push({
      chain: 'handoffs',
      company: row.issuer,
      seq: row.id,
      kind: 'damaged',
      message: `hand-off record ${row.id}: the key of ${row.issuer} it was checked with is unreadable`,
    })
    return 0
  }
  const declared = options.companies?.find((c) => c.id === row.issuer)?.public_key
  if (options.companies) {
    let declaredFp: string | undefined
    try {
      declaredFp = declared ? keyFingerprint(readPublicKey(declared)) : undefined
    } catch {
      declaredFp = undefined
    }
    if (declaredFp !== keyFingerprint(key))
      problems.push({
        chain: 'handoffs',
        company: row.issuer,
        seq: row.id,
        kind: 'forged',
        message: `hand-off record ${row.id}: its heads were signed with ${keyFingerprint(key)}, which is not ${row.issuer}'s public_key in the inventory (${declaredFp ?? 'none'})`,
      })
  }
  for (const h of heads) {
    if (h.signer !== row.issuer || !headSignedBy(h, key)) {
      problems.push({
        chain: 'handoffs',
        company: row.issuer,
        seq: row.id,
        kind: 'forged',
        message: `hand-off record ${row.id}: the head of ${chainName(h)} #${h.seq} is not signed by ${row.issuer} (forged or edited)`,
      })
      continue
    }
    // Our own heads (sent) prove nothing to us; the other company's prove what it saw.
    if (row.direction !== 'in') continue
    if (h.company === row.issuer) {
      const k = `${h.chain}\u0000${h.company}\u0000${h.chain === 'acks' ? h.about : ''}`
      signedUpTo.set(k, Math.max(signedUpTo.get(k) ?? 0, h.seq))
    }
    const why = headDisagreement(db, h, owner)
    if (why)
      problems.push({
        chain: h.chain,
        company: h.company,
        ...(h.about ? {about: h.about} : {}),
        seq: h.seq,
        kind: h.hash !== null && why.includes('missing') ? 'deleted' : 'edited',
        message: why,
      })
  }
  return row.direction === 'in' ? heads.length : 0
}
