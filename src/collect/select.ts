import type {Problem} from '../model/errors.js'
import type {Inventory, Terminal, TerminalStatus} from '../model/types.js'
import {nearest} from '../io/suggest.js'

/** Which declared terminals to collect (the `collect` / `audit --live` selection flags). */
export interface Selection {
  /** Exact ids; reaches any status, `planned` included (the pre-install check). Unknown ids are returned as `unknown`. */
  only?: string[]
  site?: string[]
  zone?: string[]
  /** Statuses collected when `only` is not given; default `active`. Add `removed` to prove removed terminals are gone. */
  statuses?: TerminalStatus[]
  /** `{index, count}` (1-based index, `--shard 2/4`): a stable split by terminal id, so runners share nothing. */
  shard?: {index: number; count: number}
}

/** FNV-1a, so that a terminal's shard depends only on its id, not on the inventory's order or size. */
function shardOf(id: string, count: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0
  return (h % count) + 1
}

/** Parses `i/n` as given to `--shard`; a problem message when it is malformed. */
export function parseShard(text: string): {index: number; count: number} | {problem: string} {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (!m || count < 1 || index < 1 || index > count)
    return {problem: `--shard must be i/n with 1 ≤ i ≤ n, got "${text}"`}
  return {index, count}
}

/** Selects terminals to collect, in inventory order; `unknown` lists ids in `only` that are not declared. */
export function selectTerminals(terminals: Terminal[], sel: Selection): {terminals: Terminal[]; unknown: string[]} {
  const only = sel.only ? new Set(sel.only) : undefined
  const statuses = new Set<TerminalStatus>(sel.statuses ?? ['active'])
  const picked = terminals.filter(
    (t) =>
      (only ? only.has(t.id) : statuses.has(t.status)) &&
      (!sel.site || sel.site.includes(t.site)) &&
      (!sel.zone || sel.zone.includes(t.zone)) &&
      (!sel.shard || shardOf(t.id, sel.shard.count) === sel.shard.index),
  )
  const declared = new Set(terminals.map((t) => t.id))
  return {terminals: picked, unknown: sel.only?.filter((id) => !declared.has(id)) ?? []}
}

/**
 * What is wrong with a selection before anything runs: an unknown --only id, --site or --zone, or a selection of
 * nothing (an audit of nothing must never pass). Each is exit 2.
 */
export function selectionProblems(
  inventory: Pick<Inventory, 'sites' | 'zones'>,
  sel: Selection,
  selected: {terminals: Terminal[]; unknown: string[]},
): Problem[] {
  const problems: Problem[] = selected.unknown.map((id) => ({
    code: 'E_REF',
    message: `--only: unknown terminal "${id}"`,
  }))
  const sites = new Set(inventory.sites.map((x) => x.id))
  const zones = new Set(inventory.zones.map((z) => z.id))
  const near = (id: string, known: Set<string>) => nearest(id, known, 1).map((n) => `did you mean "${n}"?`)[0]
  for (const id of sel.site ?? [])
    if (!sites.has(id)) problems.push({code: 'E_REF', message: `--site: unknown site "${id}"`, hint: near(id, sites)})
  for (const id of sel.zone ?? [])
    if (!zones.has(id)) problems.push({code: 'E_REF', message: `--zone: unknown zone "${id}"`, hint: near(id, zones)})
  if (problems.length === 0 && selected.terminals.length === 0) {
    problems.push({
      code: 'E_FLAG',
      message: 'the selection matches no terminal (statuses, --site, --zone, --shard): nothing would be checked',
    })
  }

  return problems
}
