import {describe, expect, it} from 'vitest'

import {jsonStructureProblem} from '../../../src/io/json.js'

describe('jsonStructureProblem', () => {
  it('accepts ordinary documents, the same key in different objects, and braces inside strings', () => {
    expect(jsonStructureProblem('{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}', 32)).toBeUndefined()
    expect(jsonStructureProblem('{"a": "{\\"a\\": 1, \\"a\\": 2}", "b": "[[[[", "c": "\\\\"}', 2)).toBeUndefined()
    expect(jsonStructureProblem('[1, 2, "a", "a"]', 32)).toBeUndefined()
  })

  it('finds a duplicate key, also when written with escapes, at its line and column', () => {
    expect(jsonStructureProblem('{\n  "role": "nw",\n  "role": "retail"\n}', 32)).toBe(
      'duplicate key "role" at line 3, column 3',
    )
    expect(jsonStructureProblem('{"role": 1, "r\\u006fle": 2}', 32)).toBe('duplicate key "role" at line 1, column 13')
    expect(jsonStructureProblem('{"client": {"macs": [], "ips": [], "macs": []}}', 32)).toMatch(/^duplicate key "macs"/)
  })

  it('finds nesting deeper than the limit without recursing', () => {
    expect(jsonStructureProblem('[[[1]]]', 3)).toBeUndefined()
    expect(jsonStructureProblem('[[[[1]]]]', 3)).toBe('nested deeper than 3 levels at line 1, column 4')
    const deep = `${'{"a":'.repeat(1_000_000)}1${'}'.repeat(1_000_000)}`
    expect(jsonStructureProblem(deep, 32)).toBe('nested deeper than 32 levels at line 1, column 161')
  })

  it('leaves syntax errors to JSON.parse', () => {
    expect(jsonStructureProblem('{"a": "unterminated', 32)).toBeUndefined()
  })
})
