import {describe, expect, it} from 'vitest'

import {isMap, isNode, isPair, isSeq} from 'yaml'

import {parseYamlText, positionAt, positionOfNode, positionReader} from '../../../src/io/yaml.js'

const BOMB = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

function problems(text: string) {
  const r = parseYamlText('f.yaml', text)
  if (r.ok) throw new Error('parsed')
  return r.problems
}

describe('parseYamlText hostile input', () => {
  it('refuses a billion-laughs alias bomb quickly', () => {
    const t0 = performance.now()
    const p = problems(BOMB)
    expect(performance.now() - t0).toBeLessThan(2000)
    expect(p).toHaveLength(1)
    expect(p[0]).toMatchObject({code: 'E_ALIAS', file: 'f.yaml'})
  })

  it('allows a few honest aliases', () => {
    const r = parseYamlText('f.yaml', 'base: &b {user: audit}\nx: *b\ny: *b\n')
    expect(r.ok && r.source.value).toEqual({base: {user: 'audit'}, x: {user: 'audit'}, y: {user: 'audit'}})
  })

  it('reports a duplicate key at the second occurrence', () => {
    expect(problems('a: 1\nb: 2\na: 3\n')).toEqual([
      {code: 'E_DUPLICATE_KEY', message: 'Map keys must be unique', file: 'f.yaml', line: 3, column: 1},
    ])
  })

  it('treats empty and comment-only files as empty', () => {
    for (const text of ['', '\n\n', '# only a comment\n']) {
      expect(problems(text), JSON.stringify(text)).toEqual([
        {code: 'E_EMPTY', message: 'the file is empty', file: 'f.yaml'},
      ])
    }
  })

  it('refuses block nesting deeper than 64 levels with a position', () => {
    const text = Array.from({length: 100}, (_, i) => `${'  '.repeat(i)}- `).join('\n')
    const p = problems(text)
    expect(p).toHaveLength(1)
    expect(p[0]).toMatchObject({code: 'E_TOO_DEEP', message: 'nesting deeper than 64 levels', line: 65})
  })

  it('accepts 64 levels', () => {
    const text = `${'['.repeat(63)}1${']'.repeat(63)}\n`
    expect(parseYamlText('f.yaml', text).ok).toBe(true)
  })

  it('reports a syntax error with its line and column', () => {
    expect(problems('a: [1, 2\nb: 3\n')[0]).toMatchObject({code: 'E_YAML', file: 'f.yaml', line: 2})
  })
})

describe('positionAt', () => {
  const r = parseYamlText('f.yaml', 'terminals:\n  - id: T-1\n    zone: z\n  - {id: T-2, zone: y}\n')
  if (!r.ok) throw new Error('fixture')
  it('finds values, keys and the closest ancestor', () => {
    expect(positionAt(r.source, ['terminals', 0, 'zone'])).toEqual({file: 'f.yaml', line: 3, column: 11})
    expect(positionAt(r.source, ['terminals', 0, 'zone'], true)).toEqual({file: 'f.yaml', line: 3, column: 5})
    expect(positionAt(r.source, ['terminals', 1, 'zone'])).toEqual({file: 'f.yaml', line: 4, column: 21})
    expect(positionAt(r.source, ['terminals', 1, 'missing'])).toEqual({file: 'f.yaml', line: 4, column: 5})
    expect(positionAt(r.source, [])).toEqual({file: 'f.yaml', line: 1, column: 1})
  })
})

describe('positionReader', () => {
  it('gives positionOfNode’s position for every node, in document order and out of it', () => {
    const text =
      '# head\nterminals:\n  - {id: a, host: h}\n  -   id: b\n      macs: ["x",\n        "y"]\n\n  - id: c\nz: |\n  block\n'
    const result = parseYamlText('f.yaml', text)
    if (!result.ok) throw new Error('parse')
    const nodes: unknown[] = []
    const stack: unknown[] = [result.source.doc.contents]
    while (stack.length > 0) {
      const node = stack.pop()
      if (isMap(node) || isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i])
      else if (isPair(node)) stack.push(node.value, node.key)
      if (isNode(node)) nodes.push(node)
    }

    expect(nodes.length).toBeGreaterThan(15)
    const expected = nodes.map((n) => positionOfNode(result.source, n))
    const read = positionReader(result.source)
    expect(nodes.map((n) => read(n))).toEqual(expected)
    // Backwards (the cursor stays put and the answer is still right).
    const again = positionReader(result.source)
    expect([...nodes].reverse().map((n) => again(n))).toEqual([...expected].reverse())
  })
})
