import type {EvaluationInput, RawFinding} from '../types.js'

/** The ledger kinds that can account for each kind of inventory change. */
const ACCEPTS: Record<string, readonly string[]> = {
  install: ['install', 'replace'],
  remove: ['remove'],
  move: ['move'],
  replace: ['replace', 'install'],
}

/**
 * `inventory diff --ledger FILE...`: every install, removal, move or replacement in the change needs a ledger
 * event of that kind for that terminal (and, for installs and moves, to the zone the change puts it in).
 */
export function changeWithoutEvent(input: EvaluationInput): RawFinding[] {
  if (!input.changes || !input.ledger) return []
  const terminals = new Map(input.inventory.terminals.map((t) => [t.id, t]))
  const out: RawFinding[] = []
  for (const c of input.changes) {
    const accepted = ACCEPTS[c.kind]
    if (!accepted) continue
    const events = input.ledger.byTerminal[c.terminal] ?? []
    const match = events.some(
      (e) => accepted.includes(e.kind) && (c.kind === 'remove' || (e.site === c.site && e.zone === c.zone)),
    )
    if (match) continue
    const t = terminals.get(c.terminal)
    out.push({
      terminal: c.terminal,
      site: c.site,
      zone: c.zone,
      location: t?.source ?? {file: input.inventory.root, line: 1, column: 1},
      message: {
        en: `the change ${c.kind === 'remove' ? 'removes' : c.kind === 'move' ? 'moves' : 'installs'} ${c.terminal} (${c.site}/${c.zone}) but no signed hand-off file records a ${accepted.join(' or ')} event for it`,
        ja: `この変更は ${c.terminal}（${c.site}/${c.zone}）の${c.kind === 'remove' ? '撤去' : c.kind === 'move' ? '移設' : '設置'}ですが、署名付き引き渡しファイルに対応する記録（${accepted.join(' / ')}）がありません`,
      },
      expected: `a ${accepted.join(' or ')} event`,
      actual: events.length === 0 ? 'no events' : events.map((e) => `${e.kind} ${e.issuer}#${e.seq}`).join(', '),
    })
  }

  return out
}
