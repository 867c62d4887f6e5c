import {describe, expect, it} from 'vitest'

import {parseShard, selectTerminals} from '../../../src/collect/index.js'
import {terminal} from './helpers.js'

const fleet = [
  terminal('A', {site: 's1', zone: 'z1'}),
  terminal('B', {site: 's1', zone: 'z2', status: 'planned'}),
  terminal('C', {site: 's2', zone: 'z3', status: 'removed'}),
  terminal('D', {site: 's2', zone: 'z3'}),
]
const ids = (sel: Parameters<typeof selectTerminals>[1]) => selectTerminals(fleet, sel).terminals.map((t) => t.id)

describe('selectTerminals', () => {
  it('takes active terminals by default, in inventory order', () => {
    expect(ids({})).toEqual(['A', 'D'])
    expect(ids({statuses: ['active', 'removed']})).toEqual(['A', 'C', 'D'])
  })

  it('--only reaches planned terminals and reports unknown ids', () => {
    expect(selectTerminals(fleet, {only: ['B', 'A', 'X']})).toMatchObject({unknown: ['X']})
    expect(ids({only: ['B', 'A']})).toEqual(['A', 'B'])
  })

  it('filters by site and zone', () => {
    expect(ids({site: ['s2']})).toEqual(['D'])
    expect(ids({zone: ['z1', 'z3'], statuses: ['active', 'removed']})).toEqual(['A', 'C', 'D'])
  })

  it('shards split the fleet exactly, independent of order', () => {
    const many = Array.from({length: 500}, (_, i) => terminal(`T${i}`))
    const parts = [1, 2, 3].map((index) => selectTerminals(many, {shard: {index, count: 3}}).terminals.map((t) => t.id))
    expect(parts.flat().sort()).toEqual(many.map((t) => t.id).sort())
    for (const p of parts) expect(p.length).toBeGreaterThan(120)
    const reversed = selectTerminals([...many].reverse(), {shard: {index: 2, count: 3}}).terminals.map((t) => t.id)
    expect(reversed.sort()).toEqual([...parts[1]].sort())
  })

  it('parses --shard i/n', () => {
    expect(parseShard('2/4')).toEqual({index: 2, count: 4})
    expect(parseShard('0/4')).toHaveProperty('problem')
    expect(parseShard('5/4')).toHaveProperty('problem')
    expect(parseShard('x')).toHaveProperty('problem')
  })
})
