import {buildView, type LedgerView, type ViewEvent} from '../../ledger/view.js'

/**
 * A ledger view rebuilt from its events (as a bundle keeps them in ledger/events.json), ordered and summarised the
 * way the ledger orders a database snapshot, so ledger rules give the same findings from the bundle as from the
 * database the bundle was made from.
 */
export function viewFromEvents(events: readonly ViewEvent[], source: LedgerView['source'] = 'database'): LedgerView {
  // Copies: the view freezes what it holds, and the caller's events stay its own.
  const sorted = events
    .map((e) => ({...e, macs: [...e.macs]}))
    .sort((a, b) => ordinal(a.issuer, b.issuer) || a.seq - b.seq)
  return buildView(source, sorted)
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
