import {InputError, ProblemList} from '../model/errors.js'
import {type FailOn} from '../model/result.js'
import {loadFacts} from '../facts/load.js'
import {loadDeclared} from './declared.js'
import {type Selection} from '../collect/select.js'
import type {FactSet, Inventory} from '../model/types.js'
import {loadRules} from '../rules/load.js'
import type {LedgerView} from '../ledger/view.js'
import type {Rule} from '../rules/types.js'
import {checkWaiverRules} from '../rules/waivers.js'
import type {LogReviewOptions} from '../rules/logs/review.js'

/** What an audit or a validation should do. */
export interface AuditOptions {
  inventory: string
  /** Folder of recorded facts; without it only rules that need no facts run (`inventory validate`). */
  facts?: string
  /** Extra rule pack folders. */
  rules?: string[]
  failOn: FailOn
  maxFileSize?: number
  /** The terminals a live run collected: facts rules are reported for these only. */
  collected?: ReadonlySet<string>
  /**
   * `--only`, `--site`, `--zone` of an audit from recorded facts: only these terminals' findings are reported (any
   * status). An unknown id, site or zone, or a selection of nothing, is exit 2.
   */
  selection?: Pick<Selection, 'only' | 'site' | 'zone'>
  /**
   * The hand-off ledger: a database (whose history also records this run) or signed hand-off files (CI, where
   * there is no database). Without one, ledger rules do not run.
   */
  ledger?: {db?: string; files?: string[]}
  /** The terminals whose findings are reported (resolved from `selection`); all when absent. */
  scope?: ReadonlySet<string>
  /** Access logs to review in the same run (`audit --logs`): mappings, period, masking. */
  logs?: LogReviewOptions
}

/** I/O the core needs, passed in so tests and CI run it offline and reproducibly. */
export interface AuditDeps {
  now: Date
  /** Collected facts from a live run; used instead of reading `options.facts`. */
  facts?: FactSet
  /**
   * Rule packs already loaded and validated (`loadRules(options.rules)`); used instead of loading them again, so a
   * program that audits many times (a test file) reads and compiles them once.
   */
  rules?: Rule[]
}

/** Everything an audit reads, loaded and validated. */
export interface AuditInputs {
  inventory: Inventory
  rules: Rule[]
  facts?: FactSet
  /** The ledger from signed hand-off files, when `options.ledger.files` names some. */
  ledgerFromFiles?: LedgerView
}

/**
 * Loads and validates every input at once (inventory, rules, waivers' rules, facts folder, hand-off files), so that
 * all problems are reported together (exit 2) before anything else happens. `check` adds the caller's own checks
 * (e.g. the selection of a live run) to the same list.
 */
export async function loadInputs(
  options: AuditOptions,
  extra: {facts?: FactSet; rules?: Rule[]; check?: (inventory: Inventory, problems: ProblemList) => void} = {},
): Promise<AuditInputs> {
  const problems = new ProblemList()
  const [inventory, rules, facts] = await Promise.all([
    capture(problems, () => loadDeclared(options.inventory, {maxFileSize: options.maxFileSize})),
    extra.rules ?? capture(problems, () => loadRules(options.rules ?? [])),
    extra.facts ?? (options.facts ? capture(problems, () => loadFacts(options.facts!)) : undefined),
  ])
  if (inventory && rules) checkWaiverRules(inventory, rules, problems)
  if (inventory) extra.check?.(inventory, problems)
  const files = options.ledger?.files
  const ledgerFromFiles =
    inventory && files?.length
      ? await capture(problems, async () => {
          const {loadHandoffFiles} = await import('../ledger/view.js')
          return loadHandoffFiles(files, inventory.companies).view
        })
      : undefined
  problems.throwIfAny()
  return {inventory: inventory!, rules: rules!, facts, ledgerFromFiles}
}

/** Runs a loader, folding its input errors into the shared list so every input is checked before giving up. */
export async function capture<T>(problems: ProblemList, load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load()
  } catch (error) {
    if (error instanceof InputError) {
      for (const p of error.problems) problems.add(p)
      return undefined
    }

    throw error
  }
}
