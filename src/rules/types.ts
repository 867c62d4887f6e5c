import type {TerminalChange} from '../inventory/diff.js'
import type {LedgerView} from '../ledger/view.js'
import type {Needs} from '../model/result.js'
import type {FactSet, Finding, Inventory, Localized, Severity, SourcePosition} from '../model/types.js'

/** A compiled CEL expression: context in, value out. */
export type Compiled = (context: Record<string, unknown>) => unknown

/** A rule as loaded from a pack, with its expressions compiled once. */
export interface Rule {
  id: string
  pack: string
  severity: Severity
  needs: Needs
  barrier: boolean
  /** Judges the collection itself, so it is evaluated even for a terminal whose facts are missing or failed. */
  verification?: boolean
  title: Localized
  rationale: Localized
  remediation: Localized
  message?: Localized
  when?: string
  evaluator?: string
  expected?: string
  actual?: string
  /** Access-log rule: a DuckDB query; each row is a finding (see src/logs). */
  sql?: string
  /** Named values the query reads as `$name`. */
  params?: Record<string, number | string>
  /** Access-log rule that reads the review history of the ledger database. */
  ledger?: boolean
  source: SourcePosition
  compiled?: {when: Compiled; expected?: Compiled; actual?: Compiled}
}

/** Everything evaluation reads; all of it already loaded and validated. */
export interface EvaluationInput {
  inventory: Inventory
  facts?: FactSet
  now: Date
  /** Today in the policy's time zone. */
  today: string
  /** Every loaded rule; waiver checks need to know which rules guard the barrier. */
  rules: readonly Rule[]
  /** The hand-off ledger (a database snapshot or signed files); ledger rules run only when it is given. */
  ledger?: LedgerView
  /** The terminal changes of `inventory diff`, which ledger rules match against the hand-off files. */
  changes?: readonly TerminalChange[]
}

/** A finding before the rule's metadata and waivers are attached. */
export type RawFinding = Omit<Finding, 'rule' | 'severity' | 'waiver'>

/** A named cross-terminal check (duplicates, undeclared facts, waivers). Pure: no I/O, no printing. */
export type Evaluator = (input: EvaluationInput, rule: Rule) => RawFinding[]
