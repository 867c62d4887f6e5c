import {type Needs} from '../model/result.js'
import {factsState} from '../facts/state.js'
import {type Lang, zoneKindLabel} from '../model/i18n.js'
import type {Finding, Localized} from '../model/types.js'
import {CEL_STEP_BUDGET_TEXT, CelBudgetExceeded, evaluateBounded} from './cel.js'
import {sharedContext, terminalContext} from './context.js'
import {evaluators} from './evaluators/index.js'
import type {EvaluationInput, RawFinding, Rule} from './types.js'
import {applyWaivers} from './waivers.js'

/**
 * Runs every rule the mode allows (`inventory`: declared data only, as CI's `inventory validate` does;
 * `facts`: everything) and applies waivers. Pure: the same input always gives the same, sorted findings.
 */
export function evaluateRules(input: EvaluationInput, mode: Exclude<Needs, 'ledger' | 'logs'>): Finding[] {
  const {rules} = input
  const active = rules.filter((r) => ruleRuns(r, mode, input.ledger !== undefined))
  const shared = sharedContext(input)
  const {inventory: inv, facts} = input
  const findings: Finding[] = []
  const emit = (rule: Rule, raw: RawFinding) => findings.push({rule: rule.id, severity: rule.severity, ...raw})

  const conditionRules = active.filter((r) => r.compiled)
  if (conditionRules.length > 0) {
    for (const t of inv.terminals) {
      const state = factsState(facts?.facts.get(t.id), facts?.problems.get(t.id), input.now)
      const ctx = terminalContext(shared, inv, t, state, input.ledger)
      for (const rule of conditionRules) {
        const raw = evaluateCondition(rule, ctx)
        if (raw) emit(rule, {terminal: t.id, site: t.site, zone: t.zone, location: t.source, ...raw})
      }
    }
  }

  for (const rule of active) {
    if (rule.evaluator) for (const raw of evaluators[rule.evaluator](input, rule)) emit(rule, raw)
  }

  return sortFindings(applyWaivers(findings, input, rules))
}

/**
 * Inventory rules always run; facts rules in audits; ledger rules only when a ledger is given. Access-log rules are
 * never evaluated here: the log review runs them in its engine (src/logs).
 */
export function ruleRuns(rule: Rule, mode: Exclude<Needs, 'ledger' | 'logs'>, hasLedger: boolean): boolean {
  if (rule.needs === 'logs') return false
  if (rule.needs === 'ledger') return hasLedger
  return mode === 'facts' || rule.needs === 'inventory'
}

/** Findings in a stable order: terminal, then rule, then location. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      cmp(a.terminal, b.terminal) ||
      cmp(a.rule, b.rule) ||
      cmp(a.location.file, b.location.file) ||
      a.location.line - b.location.line ||
      cmp(a.message.en, b.message.en),
  )
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

type ConditionResult = Pick<RawFinding, 'message' | 'expected' | 'actual' | 'unevaluated'> | undefined

/** A condition that cannot be evaluated is itself a finding: a broken rule must never read as a pass. */
function evaluateCondition(rule: Rule, ctx: Record<string, unknown>): ConditionResult {
  const {when, expected, actual} = rule.compiled!
  let hit: unknown
  try {
    hit = evaluateBounded(when, ctx)
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0]
    const ja =
      error instanceof CelBudgetExceeded ? `評価の上限（${CEL_STEP_BUDGET_TEXT} ステップ）を超えました` : reason
    return {
      message: {en: `rule could not be evaluated: ${reason}`, ja: `ルールを評価できませんでした: ${ja}`},
      unevaluated: true,
    }
  }

  if (typeof hit !== 'boolean') {
    const got = typeof hit === 'bigint' ? 'int' : hit === null ? 'null' : typeof hit
    return {
      message: {
        en: `rule could not be evaluated: the condition gave ${got}, not a bool`,
        ja: `ルールを評価できませんでした: 条件の結果が bool ではなく ${got} です`,
      },
      unevaluated: true,
    }
  }

  if (!hit) return undefined
  const values = {expected: show(safe(expected, ctx)), actual: show(safe(actual, ctx))}
  return {
    message: renderMessage(rule.message!, ctx, values),
    expected: expected ? values.expected : undefined,
    actual: actual ? values.actual : undefined,
  }
}

function safe(fn: ((c: Record<string, unknown>) => unknown) | undefined, ctx: Record<string, unknown>): unknown {
  if (!fn) return undefined
  try {
    return evaluateBounded(fn, ctx)
  } catch {
    return '(unavailable)'
  }
}

/** Fills `{expected}`, `{actual}` and `{dotted.path}` placeholders from the context. */
export function renderMessage(
  template: Localized,
  ctx: Record<string, unknown>,
  values: Record<string, string>,
): Localized {
  // An empty value reads as "(none)", never as a gap ("MACs are , declared …").
  const fill = (text: string, lang: Lang) =>
    text.replaceAll(/\{([a-z_][a-z0-9_.]*)\}/gi, (_, path: string) => {
      let shown: string
      if (path in values) shown = values[path]
      else {
        let v: unknown = ctx
        for (const seg of path.split('.'))
          v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined
        // A zone kind is a word people read: Japanese messages say 研修室, not "training".
        shown = path === 'zone.kind' && typeof v === 'string' ? zoneKindLabel(v, lang) : show(v)
      }
      return shown === '' ? (lang === 'ja' ? '（なし）' : '(none)') : shown
    })
  return {en: fill(template.en, 'en'), ja: fill(template.ja, 'ja')}
}

/** A value as text for messages and the expected/actual columns. */
function show(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (Array.isArray(v)) return v.map((x) => show(x)).join(', ')
  if (typeof v === 'object') return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : x))
  return String(v)
}
