import {Environment} from '@marcbachmann/cel-js'

import {familyOf, hostOf, inAnyCidr} from '../io/address.js'

export {hostOf, inAnyCidr} from '../io/address.js'

/** Hostnames compare case-insensitively, and a short name matches its FQDN. */
function sameHost(a: string, b: string): boolean {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x === y || x.startsWith(`${y}.`) || y.startsWith(`${x}.`)
}

/**
 * The cost bound of one evaluation of one expression (a rule's `when`, `expected` or `actual`, for one terminal), in
 * steps: every node the evaluator visits is a step (each element a comprehension visits costs the steps of its body),
 * and a step that builds a list or a long string also costs its size (one per element, one per 16 characters), so
 * that doubling a list or a string in a few nodes cannot escape the bound. The built-in rules take at most a few
 * hundred steps; a condition over a terminal's ledger history of thousands of events stays well inside. An
 * expression that exceeds it is stopped and reported as "rule could not be evaluated"; the run goes on.
 * Deterministic (no clock), so the same inputs always give the same findings.
 */
export const CEL_STEP_BUDGET = 100_000

/** The budget as people read it ("100,000"); grouped by hand, as `toLocaleString` costs tens of ms of ICU set-up. */
export const CEL_STEP_BUDGET_TEXT = String(CEL_STEP_BUDGET).replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/** Thrown when an evaluation exceeds CEL_STEP_BUDGET. */
export class CelBudgetExceeded extends Error {
  constructor() {
    super(`the expression exceeded the evaluation budget of ${CEL_STEP_BUDGET_TEXT} steps`)
  }
}

const EXHAUSTED = new CelBudgetExceeded()

/** Steps left in the evaluation under way (Infinity outside `evaluateBounded`: type checks at load are not metered). */
const meter = {left: Number.POSITIVE_INFINITY, exceeded: false}

/**
 * Evaluates a compiled expression under the step budget. cel-js (8.0) has parse-time limits only, so every node it
 * evaluates is counted by `meterEvaluator`. A quantifier (`exists`, `all`) swallows errors of single iterations, so
 * the result is discarded whenever the budget ran out, whatever it was.
 */
export function evaluateBounded(
  expression: (context: Record<string, unknown>) => unknown,
  context: Record<string, unknown>,
): unknown {
  meter.left = CEL_STEP_BUDGET
  meter.exceeded = false
  try {
    const value = expression(context)
    if (meter.exceeded) throw new CelBudgetExceeded()
    return value
  } catch (error) {
    if (meter.exceeded) throw new CelBudgetExceeded()
    throw error
  } finally {
    meter.left = Number.POSITIVE_INFINITY
  }
}

interface CelEvaluator {
  run(ast: unknown, ctx: unknown): unknown
}

const metered = new WeakSet<object>()

/**
 * Counts the steps of every evaluation in `env`. cel-js evaluates every child node through its evaluator's `run`
 * method; the evaluator is private to the environment, so it is taken from the first evaluation of a probe
 * expression. If a later cel-js changes this, loading rules fails loudly here rather than running unbounded.
 */
function meterEvaluator(env: Environment): void {
  const probe = env.parse('true') as unknown as ((ctx: object) => unknown) & {
    ast: {evaluate: (...args: unknown[]) => unknown}
  }
  let captured: CelEvaluator | undefined
  const root = probe.ast
  const evaluate = root.evaluate
  root.evaluate = function (this: unknown, ev: unknown, ...rest: unknown[]) {
    captured = ev as CelEvaluator
    return evaluate.call(this, ev, ...rest)
  }

  probe({})
  if (!captured || typeof captured.run !== 'function')
    throw new Error('cel-js internals changed: cannot bound the cost of rule evaluation')
  if (metered.has(captured)) return
  metered.add(captured)
  const run = captured.run
  captured.run = function (this: CelEvaluator, ast: unknown, ctx: unknown): unknown {
    if (--meter.left < 0) {
      meter.exceeded = true
      // One shared instance: quantifiers catch and re-raise it once per remaining iteration; no stack trace each time.
      throw EXHAUSTED
    }

    const value = run.call(this, ast, ctx)
    if (Array.isArray(value)) meter.left -= value.length
    else if (typeof value === 'string' && value.length > 16) meter.left -= value.length >>> 4
    return value
  }
}

/**
 * The CEL environment rules are written against. Variables are dynamic (the context is built by
 * `buildContext`), and the few functions auditors need beyond standard CEL are registered here.
 */
export function celEnvironment(): Environment {
  const env = new Environment({unlistedVariablesAreDyn: true, limits: {maxAstNodes: 2000, maxDepth: 64}})
    .registerFunction('in_any_cidr(list, string): bool', (cidrs: string[], ip: string) => inAnyCidr(cidrs, ip))
    .registerFunction('host_of(string): string', (address: string) => hostOf(address))
    .registerFunction('is_ip(string): bool', (s: string) => familyOf(s) !== undefined)
    .registerFunction('same_host(string, string): bool', (a: string, b: string) => sameHost(a, b))
  meterEvaluator(env)
  return env
}
