import {factsState} from '../facts/state.js'
import type {Finding} from '../model/types.js'
import {NOT_COLLECTED, type NotEvaluated} from '../model/result.js'
import type {EvaluationInput, Rule} from './types.js'

/**
 * Which facts rules said nothing about a terminal only because there was nothing to compare: its facts are missing,
 * invalid, dated in the future, or record a failed collection (refused, timeout, auth, host key, invalid output), or
 * a live run did not collect it. A rule that raised a finding was evaluated; a `verification` rule (is the terminal
 * verified at all?) is evaluated whatever the facts say. Removed terminals are left out: the facts rules guard
 * terminals in place, and the one written for removed terminals is a verification rule.
 *
 * Reports show these as not checked (JUnit skipped, SARIF notifications, a "not checked" section in table and
 * Markdown, `not_evaluated` in JSON), never as passed.
 */
export function notEvaluated(
  input: EvaluationInput,
  ran: readonly Rule[],
  findings: readonly Finding[],
  collected?: ReadonlySet<string>,
): NotEvaluated[] {
  const factsRules = ran.filter((r) => r.needs === 'facts' && !r.verification && !r.evaluator)
  if (factsRules.length === 0 || !input.facts) return []
  const fired = new Set(findings.map((f) => `${f.terminal}\u0000${f.rule}`))
  const out: NotEvaluated[] = []
  for (const t of input.inventory.terminals) {
    if (t.status === 'removed') continue
    let reason: string
    if (collected && !collected.has(t.id)) reason = NOT_COLLECTED
    else {
      const state = factsState(input.facts.facts.get(t.id), input.facts.problems.get(t.id), input.now)
      if (state.kind === 'ok') continue
      reason =
        state.kind === 'failed'
          ? `${state.facts.outcome}: ${state.reason}`
          : state.kind === 'missing' && t.status === 'planned'
            ? 'planned: not collected'
            : state.reason
    }

    const rules = factsRules.filter((r) => !fired.has(`${t.id}\u0000${r.id}`)).map((r) => r.id)
    if (rules.length > 0) out.push({terminal: t.id, status: t.status, reason, rules: rules.sort(), location: t.source})
  }

  return out.sort((a, b) => (a.terminal < b.terminal ? -1 : a.terminal > b.terminal ? 1 : 0))
}
