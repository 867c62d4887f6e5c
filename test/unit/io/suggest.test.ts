import {describe, expect, it} from 'vitest'

import {editDistance, nearest} from '../../../src/io/suggest.js'

describe('nearest', () => {
  it.each([
    ['audti', ['audit', 'collect', 'check'], ['audit']],
    ['hachinoh', ['hachinohe', 'iwate-sanriku'], ['hachinohe']],
    [
      'role-mismatch',
      ['role-mismatch', 'auth-mismatch', 'mac-mismatch', 'unverified'],
      ['role-mismatch', 'auth-mismatch', 'mac-mismatch'],
    ],
    ['zzzz', ['audit', 'collect'], []],
  ])('%s among %j → %j (nearest first, within a third of the length, at least 2)', (typed, known, expected) => {
    expect(nearest(typed, known)).toEqual(expected)
  })

  it('limits the number of suggestions and breaks ties by name', () => {
    expect(nearest('ab', ['aa', 'bb', 'ac', 'ad'], 2)).toEqual(['aa', 'ac'])
  })

  it('edit distance counts inserts, deletes and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('', 'abc')).toBe(3)
    expect(editDistance('same', 'same')).toBe(0)
  })
})
