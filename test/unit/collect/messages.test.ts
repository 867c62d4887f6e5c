import {describe, expect, it} from 'vitest'

import {collectClosingLine, listIds} from '../../../src/collect/messages.js'
import {OUTCOMES, type Outcome} from '../../../src/model/types.js'
import {renderMessage} from '../../../src/rules/evaluate.js'

const counts = (over: Partial<Record<Outcome, number>>, extra: {aborted?: boolean; skipped?: string[]} = {}) => {
  const by_outcome = Object.fromEntries(OUTCOMES.map((o) => [o, over[o] ?? 0])) as Record<Outcome, number>
  return {
    total: Object.values(by_outcome).reduce((a, b) => a + b, 0) + (extra.skipped?.length ?? 0),
    by_outcome,
    aborted: extra.aborted ?? false,
    skipped: extra.skipped ?? [],
  }
}

describe('collect closing line', () => {
  it.each([
    [{ok: 16}, {}, '16 of 16 terminals verified; facts in facts/'],
    [
      {refused: 16},
      {},
      '0 of 16 terminals verified; 16 not: 16 refused (reasons above and in each facts file in facts/)',
    ],
    [
      {ok: 13, unresolved: 1, refused: 1, 'hostkey-unknown': 1},
      {},
      '13 of 16 terminals verified; 3 not: 1 unresolved, 1 refused, 1 hostkey-unknown (reasons above and in each facts file in facts/)',
    ],
    [
      {ok: 2},
      {aborted: true, skipped: ['C', 'D']},
      '2 of 4 terminals verified; facts in facts/\ninterrupted: 2 not collected: C, D',
    ],
  ])('%j %j', (over, extra, line) => {
    expect(collectClosingLine(counts(over, extra), 'facts/')).toBe(line)
  })

  it('an interrupted run lists the terminals not collected, bounded', () => {
    const ids = Array.from({length: 25}, (_, i) => `T${i}`)
    expect(listIds(ids)).toBe(`${ids.slice(0, 20).join(', ')} … and 5 more`)
  })
})

describe('finding messages', () => {
  it('an empty value reads as (none), not as a gap', () => {
    const m = renderMessage(
      {en: 'MACs are {actual}, declared {expected}', ja: 'MACアドレスは {actual}、登録は {expected} です'},
      {},
      {actual: '', expected: '00:1b:21:0a:00:01'},
    )
    expect(m).toEqual({
      en: 'MACs are (none), declared 00:1b:21:0a:00:01',
      ja: 'MACアドレスは （なし）、登録は 00:1b:21:0a:00:01 です',
    })
  })
})
