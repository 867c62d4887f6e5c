import type {ProblemList} from '../model/errors.js'
import type {Finding, Inventory, Localized, Waiver} from '../model/types.js'
import {daysBetween} from '../io/time.js'
import type {EvaluationInput, RawFinding, Rule} from './types.js'

/** Rules that judge waivers themselves; a waiver can never hide them. */
export type WaiverRuleId = 'waiver/expired' | 'waiver/approver-not-nw' | 'waiver/too-long'

/** Why a waiver does not apply, as the finding its rule raises. */
export interface WaiverDefect {
  rule: WaiverRuleId
  message: Localized
  expected: string
  actual: string
}

/**
 * Decides whether a waiver may hide findings today. A waiver that is expired, too long, or excuses a barrier
 * rule without an NW-side approver does not apply, and each defect becomes a finding of its own.
 */
export function checkWaiver(
  w: Waiver,
  input: EvaluationInput,
  rulesById: Map<string, Rule>,
): {applies: boolean; defects: WaiverDefect[]} {
  const {inventory: inv, today} = input
  const defects: WaiverDefect[] = []
  if (today > w.expires) {
    defects.push({
      rule: 'waiver/expired',
      message: {
        en: `waiver ${w.id} for ${w.rule} expired on ${w.expires}`,
        ja: `免除 ${w.id}（${w.rule}）は ${w.expires} に期限切れです`,
      },
      expected: `valid through ${today}`,
      actual: `expired ${w.expires}`,
    })
  }

  const length = daysBetween(w.approved, w.expires)
  if (length > inv.policy.max_waiver_days) {
    defects.push({
      rule: 'waiver/too-long',
      message: {
        en: `waiver ${w.id} runs ${length} days, longer than the policy's ${inv.policy.max_waiver_days}`,
        ja: `免除 ${w.id} の期間 ${length} 日はポリシーの上限 ${inv.policy.max_waiver_days} 日を超えています`,
      },
      expected: `<= ${inv.policy.max_waiver_days} days`,
      actual: `${length} days`,
    })
  }

  const rule = rulesById.get(w.rule)
  const approver = inv.people.find((p) => p.id === w.approver)
  const side = inv.companies.find((c) => c.id === approver?.company)?.side
  const exposed = exposedTerminals(inv, w.terminals)
  if ((rule?.barrier || exposed.length > 0) && side !== 'nw') {
    const why = rule?.barrier
      ? `barrier rule ${w.rule}`
      : `${w.rule} on ${exposed.join(', ')}, which retail-side people can reach or own,`
    defects.push({
      rule: 'waiver/approver-not-nw',
      message: {
        en: `waiver ${w.id} excuses ${why} but its approver ${w.approver} (${approver?.company}) is not on the NW side`,
        ja: `免除 ${w.id} は ${rule?.barrier ? `情報遮断ルール ${w.rule}` : `小売側が触れうる端末（${exposed.join(', ')}）の ${w.rule}`} を免除していますが、承認者 ${w.approver}（${approver?.company}）はNW側ではありません`,
      },
      expected: 'an approver of an NW-side company',
      actual: `${w.approver} (${approver?.company}, ${side})`,
    })
  }

  return {applies: defects.length === 0 && today >= w.approved, defects}
}

/**
 * Waived terminals that retail-side people can reach (zone not NW-only) or that a retail-side company owns. Any
 * exception for them, not only of barrier rules (an unverified terminal, a stale check, a changed host key), is the
 * NW side's to grant: the retail side cannot excuse its own terminals from being checked.
 */
function exposedTerminals(inv: Inventory, ids: readonly string[]): string[] {
  const side = new Map(inv.companies.map((c) => [c.id, c.side]))
  const zones = new Map(inv.zones.map((z) => [z.id, z]))
  return ids.filter((id) => {
    const t = inv.terminals.find((x) => x.id === id)
    if (!t) return false
    const zone = zones.get(t.zone)
    return side.get(t.owner) !== 'nw' || (zone !== undefined && !zone.access.every((c) => side.get(c) === 'nw'))
  })
}

/** Findings of one waiver rule, one per waived terminal, located at the waiver. */
export function waiverFindings(ruleId: WaiverRuleId, input: EvaluationInput, rules: readonly Rule[]): RawFinding[] {
  const byId = new Map(rules.map((r) => [r.id, r]))
  const terminals = new Map(input.inventory.terminals.map((t) => [t.id, t]))
  const out: RawFinding[] = []
  for (const w of input.inventory.waivers) {
    for (const d of checkWaiver(w, input, byId).defects) {
      if (d.rule !== ruleId) continue
      for (const id of w.terminals) {
        const t = terminals.get(id)
        out.push({
          terminal: id,
          site: t?.site,
          zone: t?.zone,
          location: w.source,
          message: d.message,
          expected: d.expected,
          actual: d.actual,
        })
      }
    }
  }

  return out
}

/** Attaches the waiver that covers each finding, if one applies today. */
export function applyWaivers(findings: Finding[], input: EvaluationInput, rules: readonly Rule[]): Finding[] {
  const byId = new Map(rules.map((r) => [r.id, r]))
  const cover = new Map<string, Waiver>()
  for (const w of input.inventory.waivers) {
    if (!checkWaiver(w, input, byId).applies) continue
    for (const t of w.terminals) cover.set(`${w.rule}\u0000${t}`, w)
  }

  if (cover.size === 0) return findings
  return findings.map((f) => {
    const w = f.rule.startsWith('waiver/') ? undefined : cover.get(`${f.rule}\u0000${f.terminal}`)
    return w ? {...f, waiver: {id: w.id, expires: w.expires, approver: w.approver}} : f
  })
}

/** A waiver for a rule that does not exist would silently hide nothing, or the wrong thing: refuse it. */
export function checkWaiverRules(inv: Inventory, rules: readonly Rule[], problems: ProblemList): void {
  const ids = new Set(rules.map((r) => r.id))
  for (const w of inv.waivers) {
    if (!ids.has(w.rule))
      problems.at(w.source, 'E_REF', `waiver "${w.id}": unknown rule "${w.rule}"`, 'see `fleet-audit rules list`')
  }
}
