import {type AuditResult} from '../model/result.js'
import {evaluateAudit} from './audit.js'
import {type AuditOptions, capture, loadInputs} from './inputs.js'
import {withFindings} from './result.js'
import {severityLabel} from '../model/i18n.js'
import type {Finding} from '../model/types.js'
import {displayWidth, padDisplay} from '../report/width.js'
import {ProblemList} from '../model/errors.js'
import {diffInventories, type TerminalChange} from '../inventory/diff.js'
import {loadBaseInventory} from '../inventory/git.js'
import {PROBE_CATALOG} from '../facts/probes/index.js'

/** The changes between two versions of an inventory, and what the new version breaks. */
export interface DiffResult {
  base: string
  head: string
  changes: TerminalChange[]
  summary: {added: number; removed: number; changed: number}
  /** The new version validated: every rule that needs no facts. */
  validation: AuditResult
  /** Findings of the new version that the base did not have: what the change introduces. */
  introduced: Finding[]
  /** Findings the base already had (same rule, terminal and message), listed apart. */
  preexisting: Finding[]
  /** `--new-only`: only introduced findings decide the exit code. */
  new_only: boolean
  /** What decides the exit code and what machine formats report: `validation`, or its introduced findings with `--new-only`. */
  verdict: AuditResult
}

/** A finding's identity across two versions: a changed message (another zone, another role) is a new finding. */
function findingKey(f: Finding): string {
  return `${f.rule}\u0000${f.terminal}\u0000${f.message.en}`
}

/** Loads base and head (all problems at once), diffs the terminals and validates the head. */
export async function runDiff(
  options: AuditOptions & {base: string; newOnly?: boolean},
  deps: {now: Date},
): Promise<DiffResult> {
  const problems = new ProblemList()
  const [inputs, base] = await Promise.all([
    capture(problems, () => loadInputs({...options, facts: undefined})),
    capture(problems, () =>
      loadBaseInventory(options.base, options.inventory, {maxFileSize: options.maxFileSize, profiles: PROBE_CATALOG}),
    ),
  ])
  problems.throwIfAny()
  const {inventory: head, rules, ledgerFromFiles} = inputs!
  const changes = diffInventories(base!, head)
  const validation = evaluateAudit(head, rules, undefined, options, deps.now, ledgerFromFiles, changes)
  // The base judged by the same rules on the same day: what it already had is not this change's doing.
  const before = new Set(
    evaluateAudit(base!, rules, undefined, options, deps.now, ledgerFromFiles, []).findings.map((f) => findingKey(f)),
  )
  const introduced = validation.findings.filter((f) => !before.has(findingKey(f)))
  const preexisting = validation.findings.filter((f) => before.has(findingKey(f)))
  const newOnly = options.newOnly ?? false
  return {
    base: base!.root,
    head: head.root,
    changes,
    summary: {
      added: changes.filter((c) => c.op === '+').length,
      removed: changes.filter((c) => c.op === '-').length,
      changed: changes.filter((c) => c.op === '~').length,
    },
    validation,
    introduced,
    preexisting,
    new_only: newOnly,
    verdict: newOnly ? withFindings(validation, introduced) : validation,
  }
}

/** The findings the base already had, apart from the table of what the change introduces. */
export function renderPreexisting(result: DiffResult, lang: 'en' | 'ja'): string {
  if (result.preexisting.length === 0) return ''
  const n = result.preexisting.length
  const title =
    lang === 'ja'
      ? `比較元に既にある指摘 ${n} 件（この変更によるものではありません${result.new_only ? '。--new-only のため合否に数えません' : ''}）:`
      : `Already on the base: ${n} finding${n === 1 ? '' : 's'} not introduced by this change${result.new_only ? ' (not counted: --new-only)' : ''}:`
  const sev = Math.max(...result.preexisting.map((f) => displayWidth(severityLabel(f.severity, lang))))
  const term = Math.max(...result.preexisting.map((f) => displayWidth(f.terminal)))
  const lines = result.preexisting.map(
    (f) =>
      `  ${padDisplay(severityLabel(f.severity, lang), sev)}  ${padDisplay(f.terminal, term)}  ${f.rule}${f.waiver ? ` [${lang === 'ja' ? '免除' : 'waived'}]` : ''}`,
  )
  const heading = lang === 'ja' ? 'この変更による指摘:' : 'Introduced by this change:'
  return `${title}\n${lines.join('\n')}\n\n${heading}\n`
}

/** The plan as people read it: `+`, `-`, `~` with before → after. */
export function renderPlan(result: DiffResult, lang: 'en' | 'ja'): string {
  const lines = [`${lang === 'ja' ? '比較' : 'Comparing'} ${result.base} → ${result.head}`, '']
  for (const c of result.changes) {
    const place = `${c.site}/${c.zone}`
    const fields = c.changes.map((f) =>
      f.before === undefined ? `${f.field}=${f.after}` : `${f.field}: ${f.before || '∅'} → ${f.after || '∅'}`,
    )
    lines.push(`${c.op} ${c.terminal}  ${place}  [${c.kind}]${fields.length > 0 ? `  ${fields.join('; ')}` : ''}`)
  }

  const {added, removed, changed} = result.summary
  lines.push(
    '',
    lang === 'ja'
      ? `追加 ${added}、撤去 ${removed}、変更 ${changed}。`
      : `Plan: ${added} to add, ${removed} to remove, ${changed} to change.`,
  )
  return `${lines.join('\n')}\n`
}
