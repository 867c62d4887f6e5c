import {canonicalJson, hashEvent} from '../../ledger/hash.js'
import {readHandoff, type VerifiedHandoff} from '../../ledger/handoff-check.js'
import {parseHandoff} from '../../ledger/handoff-format.js'
import type {ChainHead} from '../../ledger/heads.js'
import type {AckSummary, LedgerAck, LedgerEvent} from '../../model/ledger.js'
import type {LedgerView, ViewEvent} from '../../ledger/view.js'
import {viewFromEvents} from './ledger-snapshot.js'

/** A signed hand-off list carried in a bundle: its bundle path and its text. */
export interface CarriedList {
  path: string
  text: string
}

/** ledger/heads.json: derived from ledger/events.json and the signed lists, so `evidence verify` recomputes it. */
export interface LedgerHeads {
  /** Each issuer's chain as the bundle holds it. */
  chains: {issuer: string; first_seq: number; last_seq: number; last_hash: string | null}[]
  /** The lists the other companies signed that back their records, verified with their keys. */
  signed_lists: {
    path: string
    type: string
    issuer: string
    recipient: string
    first_seq: number
    last_seq: number
    created_at: string
    key: string
  }[]
  /**
   * The newest head each other company signed of each chain (its own, and the signer's it had seen: a receipt), so a
   * reader sees "as of when" the other side's word goes.
   */
  signed_heads: Omit<ChainHead, 'signature'>[]
}

/** The ledger a bundle's re-run may rely on, and every reason a record was not taken on the signer's word. */
export interface TrustedLedger {
  view: LedgerView
  heads: LedgerHeads
  problems: {path?: string; message: string}[]
}

/**
 * The ledger view of a bundle made from a database, built so that one company never vouches for another: the
 * signer's own events (and its own acknowledgements of the other side's events) are taken from ledger/events.json,
 * under the manifest's signature; every record of another company (its events, its acknowledgements of the
 * signer's events) only from a hand-off list that company signed, verified with the key `keyOf` gives (the
 * verifier's trusted inventory or pinned keys, never the bundle's word alone). What events.json claims beyond
 * that, or differently, is a problem naming the event, and the view shows what the signed lists say: an
 * acknowledgement no list backs is "not acknowledged" (fail closed).
 */
export function trustedLedger(
  claims: readonly ViewEvent[],
  lists: readonly CarriedList[],
  signer: string,
  keyOf: (company: string) => string | undefined,
  eventsPath: string,
): TrustedLedger {
  const problems: TrustedLedger['problems'] = []
  const verified: VerifiedHandoff[] = []
  for (const list of lists) {
    try {
      const issuer = parseHandoff(list.text, list.path).content.issuer
      const key = keyOf(issuer)
      if (issuer === signer)
        problems.push({
          path: list.path,
          message: `${list.path}: signed by the bundle's own signer ${signer}: only another company's signed lists belong here`,
        })
      else if (key === undefined)
        problems.push({
          path: list.path,
          message: `${list.path}: signed by ${issuer}, whose public key no trust anchor gives (pin it with --trust-key, or verify with --trust-inventory)`,
        })
      else verified.push(readHandoff(list.text, key, {file: list.path}))
    } catch (error) {
      const p = (error as {problems?: {message: string; line?: number}[]}).problems?.[0]
      const why = p ? `${p.line ? `line ${p.line}: ` : ''}${p.message}` : (error as Error).message
      problems.push({path: list.path, message: `${list.path}: does not verify: ${why}`})
    }
  }

  const events = mergeChains(
    verified.filter((l) => l.content.type === 'events'),
    (l) => `events ${l.content.issuer}`,
    problems,
  ) as Map<string, Map<number, LedgerEvent>>
  const acks = mergeChains(
    verified.filter((l) => l.content.type === 'acks'),
    (l) => `acks ${l.content.issuer} → ${l.content.recipient}`,
    problems,
  ) as Map<string, Map<number, LedgerAck>>

  // The signer's own events, on its word, but each must hash to itself and its chain link: edited ones are named.
  const own = claims.filter((e) => e.issuer === signer).sort((a, b) => a.seq - b.seq)
  let prev: ViewEvent | undefined
  for (const e of own) {
    const {handed_off: _h, ack: _a, hash, ...body} = e
    if (prev && prev.seq === e.seq)
      problems.push({path: eventsPath, message: `${eventsPath}: ${signer}#${e.seq} appears more than once`})
    else if (hashEvent(body) !== hash)
      problems.push({path: eventsPath, message: `${eventsPath}: ${signer}#${e.seq} does not hash to its hash (edited)`})
    else if (e.prev_hash !== (prev && prev.seq === e.seq - 1 ? prev.hash : e.seq === 1 ? null : undefined))
      problems.push({
        path: eventsPath,
        message: `${eventsPath}: ${signer}#${e.seq} does not follow ${signer}#${e.seq - 1} (chain broken)`,
      })
    prev = e
  }

  // The latest ack (by recorded_at, then seq) of each event, from the signed lists only.
  const latest = new Map<string, LedgerAck>()
  for (const chain of acks.values())
    for (const a of chain.values()) {
      const k = `${a.issuer}#${a.event_seq}`
      const p = latest.get(k)
      if (!p || p.recorded_at < a.recorded_at || (p.recorded_at === a.recorded_at && p.seq < a.seq)) latest.set(k, a)
    }

  const summary = (a: LedgerAck): AckSummary => ({
    acker: a.acker,
    seq: a.seq,
    state: a.state,
    checked_at: a.checked_at,
    recorded_at: a.recorded_at,
    evidence_count: a.evidence.length,
  })
  const out: ViewEvent[] = []
  for (const e of own) {
    const signed = latest.get(`${e.issuer}#${e.seq}`)
    let ack: AckSummary | null = null
    if (signed && signed.event_hash === e.hash) ack = summary(signed)
    else if (signed)
      problems.push({
        path: eventsPath,
        message: `${eventsPath}: ${e.issuer}#${e.seq} is not the event ${signed.acker} acknowledged in ack #${signed.seq} (its hash differs: edited after the hand-off)`,
      })
    out.push({...e, ack})
  }

  // Other companies' events: only as they signed them; the signer's own acks of them on its word.
  const claimed = new Map(claims.filter((e) => e.issuer !== signer).map((e) => [`${e.issuer}#${e.seq}`, e]))
  for (const chain of events.values())
    for (const e of chain.values()) {
      const claim = claimed.get(`${e.issuer}#${e.seq}`)
      claimed.delete(`${e.issuer}#${e.seq}`)
      if (!claim)
        problems.push({
          path: eventsPath,
          message: `${eventsPath}: ${e.issuer}#${e.seq} is missing, though a list ${e.issuer} signed in the bundle holds it`,
        })
      else if (claim.hash !== e.hash)
        problems.push({
          path: eventsPath,
          message: `${eventsPath}: ${e.issuer}#${e.seq} is not the event ${e.issuer} signed (hash differs)`,
        })
      const ack = claim?.ack && claim.ack.acker === signer ? claim.ack : null
      out.push({...e, handed_off: true, ack})
    }

  for (const [id, claim] of claimed)
    problems.push({
      path: eventsPath,
      message: `${eventsPath}: ${id} (${claim.kind} ${claim.terminal}) is not backed by any list ${claim.issuer} signed in the bundle`,
    })

  // What events.json says of each acknowledgement must be what the signed lists (or the signer's own word) say.
  const byId = new Map(out.map((e) => [`${e.issuer}#${e.seq}`, e]))
  for (const claim of claims) {
    const shown = byId.get(`${claim.issuer}#${claim.seq}`)
    if (!shown || canonicalJson(claim.ack) === canonicalJson(shown.ack)) continue
    const said = claim.ack ? `"${claim.ack.state}" by ${claim.ack.acker} (ack #${claim.ack.seq})` : 'not acknowledged'
    const signedSays = shown.ack
      ? `"${shown.ack.state}" by ${shown.ack.acker} (ack #${shown.ack.seq})`
      : 'not acknowledged'
    problems.push({
      path: eventsPath,
      message: `${eventsPath}: ${claim.issuer}#${claim.seq} (${claim.kind} ${claim.terminal}) says ${said}, but ${claim.ack && claim.ack.acker !== signer ? `no list ${claim.ack.acker} signed in the bundle says so` : 'the signed lists do not'}: the signed lists say ${signedSays}`,
    })
  }

  // Receipts: a head another company signed of the signer's events pins them as it saw them.
  const heads = newestHeads(verified)
  for (const h of heads)
    if (h.chain === 'events' && h.company === signer && h.seq > 0) {
      const e = own.find((x) => x.seq === h.seq)
      if (!e || e.hash !== h.hash)
        problems.push({
          path: eventsPath,
          message: `${eventsPath}: ${h.signer} signed on ${h.signed_at} that it had seen ${signer}'s events up to #${h.seq}, but the bundle's #${h.seq} is ${e ? 'another record (rewritten after the hand-off)' : 'missing'}`,
        })
    }

  // Completeness: a head the other company signed of its acks of the signer's events says how far that chain
  // reached. The bundle must carry its lists up to there, or a list left out (a rejection, a newer re-check) would go
  // unseen and its events read as merely not yet acknowledged.
  for (const h of heads)
    if (h.chain === 'acks' && h.signer === h.company && h.about === signer && h.seq > 0) {
      const chain = acks.get(`acks ${h.company} → ${signer}`)
      const record = chain?.get(h.seq)
      if (!record || record.hash !== h.hash)
        problems.push({
          path: eventsPath,
          message: `${eventsPath}: ${h.company} signed on ${h.signed_at} that its acknowledgements of ${signer}'s events reach #${h.seq}, but the bundle ${record ? `holds another ack #${h.seq}` : `carries its signed lists only up to #${Math.max(0, ...(chain?.keys() ?? []))}`}: a list ${h.company} signed was left out`,
        })
    }

  const view = viewFromEvents(out)
  return {
    view,
    heads: {
      chains: view.chains.map(({issuer, first_seq, last_seq, last_hash}) => ({issuer, first_seq, last_seq, last_hash})),
      signed_lists: verified.map((l) => ({
        path: l.file!,
        type: l.content.type,
        issuer: l.content.issuer,
        recipient: l.content.recipient,
        first_seq: l.content.first_seq,
        last_seq: l.content.last_seq,
        created_at: l.content.created_at,
        key: l.signature.key,
      })),
      signed_heads: heads.map(({signature: _s, ...h}) => h),
    },
    problems,
  }
}

/**
 * Joins the records of each chain from its lists: a chain must run from seq 1 without a gap (an omitted list could
 * hide a later re-check) and overlapping lists must agree. Records after a gap are not used.
 */
function mergeChains(
  lists: VerifiedHandoff[],
  chainOf: (l: VerifiedHandoff) => string,
  problems: TrustedLedger['problems'],
): Map<string, Map<number, LedgerEvent | LedgerAck>> {
  const groups = new Map<string, VerifiedHandoff[]>()
  for (const l of lists) (groups.get(chainOf(l)) ?? groups.set(chainOf(l), []).get(chainOf(l))!).push(l)
  const chains = new Map<string, Map<number, LedgerEvent | LedgerAck>>()
  for (const [name, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    group.sort((a, b) => a.content.first_seq - b.content.first_seq || a.content.last_seq - b.content.last_seq)
    const records = new Map<number, LedgerEvent | LedgerAck>()
    let last = 0
    for (const l of group) {
      const {first_seq, prev_hash} = l.content
      if (first_seq > last + 1) {
        problems.push({
          path: l.file,
          message: `${l.file}: ${name}: seq ${last + 1}..${first_seq - 1} missing ${last === 0 ? 'before it' : 'between the signed lists'}: records from here on are not used`,
        })
        break
      }

      if (first_seq > 1 && records.get(first_seq - 1)?.hash !== prev_hash) {
        problems.push({
          path: l.file,
          message: `${l.file}: ${name}: seq ${first_seq} does not follow seq ${first_seq - 1} of the list before it`,
        })
        break
      }

      for (const r of l.records) {
        const seen = records.get(r.seq)
        if (seen && seen.hash !== r.hash)
          problems.push({
            path: l.file,
            message: `${l.file}: ${name}: seq ${r.seq} differs from the same seq in another signed list`,
          })
        else records.set(r.seq, r)
        last = Math.max(last, r.seq)
      }
    }

    chains.set(name, records)
  }

  return chains
}

/** The newest head per (signer, chain, company, about) across the verified lists, in a stable order. */
function newestHeads(lists: readonly VerifiedHandoff[]): ChainHead[] {
  const best = new Map<string, ChainHead>()
  for (const l of lists)
    for (const h of l.content.heads) {
      const k = `${h.signer}\u0000${h.chain}\u0000${h.company}\u0000${h.about ?? ''}`
      const p = best.get(k)
      if (!p || h.seq > p.seq || (h.seq === p.seq && h.signed_at > p.signed_at)) best.set(k, h)
    }

  return [...best].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, h]) => h)
}
