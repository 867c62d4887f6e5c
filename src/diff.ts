import {type AuditOptions, type AuditResult, capture, evaluateAudit, loadInputs} from './audit.js'
import {ProblemList} from './errors.js'
import {diffInventories, type TerminalChange} from './inventory/diff.js'
import {loadBaseInventory} from './inventory/git.js'

/** The changes between two versions of an inventory, and what the new version breaks. */
export interface DiffResult {
  base: string
  head: string
  changes: TerminalChange[]
  summary: {added: number; removed: number; changed: number}
  /** The new version validated: every rule that needs no facts. */
  validation: AuditResult
}

/** Loads base and head (all problems at once), diffs the terminals and validates the head. */
export async function runDiff(options: AuditOptions & {base: string}, deps: {now: Date}): Promise<DiffResult> {
  const problems = new ProblemList()
  const [inputs, base] = await Promise.all([
    capture(problems, () => loadInputs({...options, facts: undefined})),
    capture(problems, () => loadBaseInventory(options.base, options.inventory, {maxFileSize: options.maxFileSize})),
  ])
  problems.throwIfAny()
  const {inventory: head, rules, ledgerFromFiles} = inputs!
  const changes = diffInventories(base!, head)
  return {
    base: base!.root,
    head: head.root,
    changes,
    summary: {
      added: changes.filter((c) => c.op === '+').length,
      removed: changes.filter((c) => c.op === '-').length,
      changed: changes.filter((c) => c.op === '~').length,
    },
    validation: evaluateAudit(head, rules, undefined, options, deps.now, ledgerFromFiles, changes),
  }
}

/** The plan as people read it: `+`, `-`, `~` with before → after. */
export function renderPlan(result: DiffResult, lang: 'en' | 'ja'): string {
  const lines = [`${lang === 'ja' ? '比較' : 'Comparing'} ${result.base} → ${result.head}`, '']
  for (const c of result.changes) {
    const place = `${c.site}/${c.zone}`
    const fields = c.changes.map((f) => (f.before === undefined ? `${f.field}=${f.after}` : `${f.field}: ${f.before || '∅'} → ${f.after || '∅'}`))
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
