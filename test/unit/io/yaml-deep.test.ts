import {describe, expect, it} from 'vitest'

import {parseYamlText} from '../../../src/io/yaml.js'

function problems(text: string) {
  const r = parseYamlText('f.yaml', text)
  if (r.ok) throw new Error('parsed')
  return r.problems
}

/**
 * Kept in a file of its own: the parser recurses on flow collections, and depending on how much stack is left
 * it reports one problem, dozens, or V8 dies with "RegExpCompiler Allocation failed - process out of memory",
 * which takes the whole worker (and every other test in the file) down with it.
 */
describe('parseYamlText deep flow nesting', () => {
  it('refuses 10,000 nested flow sequences as too deep, in one problem', () => {
    const p = problems(`x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`)
    expect(p).toHaveLength(1)
    expect(p[0]).toMatchObject({code: 'E_TOO_DEEP', file: 'f.yaml', line: 1})
  })

  it('refuses 10,000 unclosed flow sequences with one problem, not one per bracket', () => {
    const p = problems(`x: ${'['.repeat(10_000)}\n`)
    expect(p).toHaveLength(1)
    expect(p[0]).toMatchObject({code: 'E_TOO_DEEP', file: 'f.yaml', line: 1})
  })

  it('refuses 10,000 nested flow mappings in one problem', () => {
    const p = problems(`x: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`)
    expect(p).toHaveLength(1)
    expect(p[0]).toMatchObject({code: 'E_TOO_DEEP', file: 'f.yaml', line: 1})
  })
})
