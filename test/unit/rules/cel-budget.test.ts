import {describe, expect, it} from 'vitest'

import {CEL_STEP_BUDGET, CelBudgetExceeded, celEnvironment, evaluateBounded} from '../../../src/rules/cel.js'

const env = celEnvironment()
const compile = (text: string) => {
  const expr = env.parse(text)
  expect(expr.check().valid).toBe(true)
  return expr as unknown as (ctx: Record<string, unknown>) => unknown
}

const list = (n: number) => `[${Array.from({length: n}, (_, i) => i).join(',')}]`

describe('the CEL evaluation budget', () => {
  it('lets ordinary conditions through', () => {
    expect(
      evaluateBounded(compile("zone.access.exists(c, companies[c].side != 'nw')"), {
        zone: {access: ['a', 'b']},
        companies: {a: {side: 'nw'}, b: {side: 'retail'}},
      }),
    ).toBe(true)
    expect(evaluateBounded(compile(`${list(500)}.all(x, x >= 0)`), {})).toBe(true)
  })

  it.each([
    ['nested quantifiers (all)', `${list(300)}.all(a, ${list(300)}.all(b, ${list(10)}.all(c, a + b + c >= 0)))`],
    // exists() swallows errors of single iterations: the budget must still win.
    [
      'nested quantifiers (exists)',
      `${list(300)}.exists(a, ${list(300)}.exists(b, ${list(10)}.exists(c, a + b + c < 0)))`,
    ],
    ['nested map()', `${list(300)}.map(a, ${list(300)}.map(b, ${list(300)}.map(c, c))).size() > 0`],
    [
      'a list doubled by cel.bind',
      `cel.bind(a, ${list(100)}, ${Array.from({length: 20}, () => `cel.bind(a, a + a, `).join('')}size(a) > 0${')'.repeat(20)})`,
    ],
  ])('stops %s with CelBudgetExceeded', (_, text) => {
    expect(() => evaluateBounded(compile(text), {})).toThrow(CelBudgetExceeded)
    expect(() => evaluateBounded(compile(text), {})).toThrow(
      `the expression exceeded the evaluation budget of ${CEL_STEP_BUDGET.toLocaleString('en')} steps`,
    )
  })

  it('resets for each evaluation: a costly one does not poison the next', () => {
    expect(() => evaluateBounded(compile(`${list(300)}.all(a, ${list(400)}.all(b, b >= 0))`), {})).toThrow(
      CelBudgetExceeded,
    )
    expect(evaluateBounded(compile('1 + 1 == 2'), {})).toBe(true)
  })

  it('does not meter evaluation outside evaluateBounded (type checks at load)', () => {
    expect(compile(`${list(300)}.all(a, ${list(400)}.all(b, b >= 0))`)({})).toBe(true)
  })
})
