import type {LedgerView, ViewEvent} from '../../ledger/view.js'

/**
 * A ledger view rebuilt from its events (as a bundle keeps them in ledger/events.json), ordered and summarised the
 * way the ledger orders a database snapshot, so ledger rules give the same findings from the bundle as from the
 * database the bundle was made from.
 */
export function viewFromEvents(events: readonly ViewEvent[], source: LedgerView['source'] = 'database'): LedgerView {
  const sorted = [...events].sort((a, b) => ordinal(a.issuer, b.issuer) || a.seq - b.seq)
  const byTerminal: Record<string, ViewEvent[]> = {}
  const chains = new Map<string, {issuer: string; first_seq: number; last_seq: number; last_hash: string | null}>()
  for (const event of sorted) {
    ;(byTerminal[event.terminal] ??= []).push(event)
    const chain = chains.get(event.issuer)
    if (!chain)
      chains.set(event.issuer, {issuer: event.issuer, first_seq: event.seq, last_seq: event.seq, last_hash: event.hash})
    else if (event.seq > chain.last_seq) Object.assign(chain, {last_seq: event.seq, last_hash: event.hash})
  }

  for (const list of Object.values(byTerminal))
    list.sort(
      (a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at) || ordinal(a.issuer, b.issuer) || a.seq - b.seq,
    )
  return {source, events: sorted, byTerminal, chains: [...chains.values()]}
}

/** Code-unit order: the same on every machine (localeCompare follows LANG, so a bundle would sort differently). */
function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
