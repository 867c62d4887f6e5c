import type {Finding, Inventory, SourcePosition} from '../../model/types.js'
import {sanitizeLine} from '../../io/text.js'
import {renderMessage} from '../evaluate.js'
import type {Rule} from '../types.js'
import type {Cell} from '../../facts/logs/engine.js'

/** Longest value of a result column put into a message: log fields are bounded before anyone reads them. */
const MAX_VALUE = 120

/** Longest file name a row may point a finding at (a path the system would take). */
const MAX_PATH = 4096

/** Where findings without a declared terminal point to: the file that shows them, else the mapping. */
export interface FindingContext {
  inventory: Inventory
  /** Position used when a row names neither a declared terminal nor a log file. */
  fallback: SourcePosition
}

/**
 * One result row of a log rule → one finding. The row's `terminal` column is the finding's terminal; `person`
 * adds where that person is declared; `expected` and `actual` are taken as they are; every other column can be
 * used in the rule's message as `{column}`. Values are bounded and escaped in the finding itself (like terminal
 * output), so JSON, SARIF and the ledger's history carry no control character or bidi override either. Supply point
 * ids come masked from the engine's tables (see maskSupplyPoints in review.ts).
 */
export function rowToFinding(rule: Rule, row: Record<string, Cell>, ctx: FindingContext): Finding {
  const values: Record<string, string> = {}
  for (const [k, v] of Object.entries(row)) values[k] = show(v)
  const terminal = values.terminal || '-'
  const declared = ctx.inventory.terminals.find((t) => t.id === terminal)
  const person = row.person ? ctx.inventory.people.find((p) => p.id === row.person) : undefined
  // The file a row names is shown where the finding is (a rule pack's query may name any text): bounded and escaped.
  const file = typeof row.file === 'string' ? sanitizeLine(bounded(row.file, MAX_PATH)) : undefined
  const location: SourcePosition =
    declared?.source ??
    (file ? {file, line: typeof row.line === 'number' && row.line > 0 ? row.line : 1, column: 1} : ctx.fallback)
  return {
    rule: rule.id,
    severity: rule.severity,
    terminal,
    site: declared?.site,
    zone: declared?.zone,
    message: renderMessage(rule.message!, {}, values),
    expected: row.expected === undefined ? undefined : values.expected,
    actual: row.actual === undefined ? undefined : values.actual,
    location,
    related: person ? [person.source] : undefined,
  }
}

function show(v: Cell): string {
  return v === null ? '' : sanitizeLine(bounded(String(v), MAX_VALUE))
}

/**
 * The first `max` code points of a text, with `…` when there were more. Cut by code points, so that no half of a
 * surrogate pair is left (the ledger's history would change it); counted without spreading the text into an array
 * (a value of 300 million characters from a rule pack's query ended the process with the engine's heap exhausted).
 */
function bounded(text: string, max: number): string {
  let end = 0
  let n = 0
  for (const ch of text) {
    if (n === max) return `${text.slice(0, end)}…`
    end += ch.length
    n++
  }

  return text
}
