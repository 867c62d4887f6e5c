/**
 * What a collection tells the person who ran it: one closing line that never reads as success when terminals were
 * not verified, and the terminals an interrupted run did not reach. Text only; commands print it.
 */
import type {Outcome} from '../model/types.js'

/** The counts a closing line is made from (a `CollectSummary` has them). */
export interface CollectCounts {
  total: number
  by_outcome: Record<Outcome, number>
  aborted: boolean
  skipped: string[]
}

const LIST_MAX = 20

/** `A, B, C … and 5 more` */
export function listIds(ids: string[], max = LIST_MAX): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} … and ${ids.length - max} more`
}

/**
 * The closing line of `collect`, e.g. `16 of 16 terminals verified; facts in facts/` or
 * `0 of 16 terminals verified; 16 not: 16 refused (reasons above and in each facts file in facts/)`.
 */
export function collectClosingLine(c: CollectCounts, out?: string): string {
  const ok = c.by_outcome.ok ?? 0
  const failures = (Object.entries(c.by_outcome) as Array<[Outcome, number]>).filter(([o, n]) => o !== 'ok' && n > 0)
  const notOk = failures.reduce((sum, [, n]) => sum + n, 0)
  const where = out ? ` in ${out}` : ''
  let line = `${ok} of ${c.total} terminals verified`
  if (notOk > 0)
    line += `; ${notOk} not: ${failures.map(([o, n]) => `${n} ${o}`).join(', ')} (reasons above and in each facts file${where})`
  else if (out) line += `; facts${where}`
  if (c.aborted || c.skipped.length > 0)
    line += `\ninterrupted: ${c.skipped.length} not collected: ${listIds(c.skipped)}`
  return line
}
