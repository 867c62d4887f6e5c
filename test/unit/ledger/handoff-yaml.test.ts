/**
 * The one reader of hand-off files means what YAML means: whatever it accepts, it reads as the `yaml` package does
 * (YAML 1.2 core schema), and what a data list has no use for is refused at its line and column.
 */
import {describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {readYaml, readYamlStreaming, YamlSyntaxError} from '../../../src/ledger/handoff-yaml.js'

const doc = {
  fleet_audit_handoff: 2,
  note: 'line one\nline two: x\n',
  strip: 'no final break',
  long: 'word '.repeat(40).trim(),
  quoted: 'set to NW, "q" declared retail '.repeat(4),
  lead: ' x',
  digits: '0123',
  truthy: 'true',
  empty: [],
  none: {},
  nothing: null,
  list: [{rule: 'a/b', location: {file: 'f', line: 3}, ok: true, n: -1.5}, 'plain', 7],
  macs: ['02:00:00:00:00:01'],
  control: 'tab\there é \u001b \u2028 😀',
  fingerprint: 'SHA256:abc+/def',
  dash: '- x',
  hashy: '# c',
  colon: 'a: b',
  nested: [[1, [2]], {a: {b: {c: []}}}],
}

describe('readYaml', () => {
  it('reads what yaml.stringify writes, as yaml.parse does', () => {
    for (const options of [
      {},
      {indentSeq: false},
      {lineWidth: 20},
      {defaultStringType: 'QUOTE_SINGLE' as const},
      {defaultStringType: 'QUOTE_DOUBLE' as const},
      {collectionStyle: 'flow' as const},
    ]) {
      const text = stringify(doc, options)
      expect(readYaml(text), JSON.stringify(options)).toEqual(parse(text))
      expect(readYaml(text)).toEqual(doc)
    }
  })

  it.each([
    [
      'scalars',
      'a: ~\nb: Null\nc: TRUE\nd: false\ne: 0o17\nf: 0x1F\ng: +12\nh: 1e3\ni: .5\nj: -0\nk: yes\nl: "\\x41\\u00e9\\U0001F600\\N\\_\\/"\n',
    ],
    ['folded plain', 'a: one\n  two\n\n  three\nb: x # comment\n'],
    ['quoted over lines', "a: \"one\n  two\\\n  three\"\nb: 'it''s\n\n  here'\n"],
    [
      'block scalars',
      'a: |\n  one\n   two\n\n  three\nb: >-\n  one\n  two\n\n  three\n   more\n  end\nc: |+\n  keep\n\nd: |2-\n   indented\n',
    ],
    ['flow over lines', 'a: [1, two, "three",\n  {x: y, "z": [], w: null}, ]\nb: {}\n'],
    ['compact lists', 'a:\n- x\n- y: 1\n  z: 2\n-\n  - nested\nb: c\n'],
    ['comments, a leading marker, CRLF', '---\r\n# c\r\na: 1 # one\r\n\r\nb:   # later\r\n  c: 2\r\n'],
  ])('%s', (_name, text) => {
    expect(readYaml(text)).toEqual(parse(text))
  })

  const refused = (text: string): string => {
    try {
      readYaml(text)
    } catch (error) {
      const e = error as YamlSyntaxError
      return `${e.line}:${e.column} ${e.message}`
    }
    throw new Error('not refused')
  }

  it.each([
    ['a: &x [1]\nb: *x\n', '1:4 not a readable hand-off file: aliases (*name) are not allowed, nor anchors (&name)'],
    ['a: 1\nb: [*x]\n', '2:5 not a readable hand-off file: aliases (*name) are not allowed, nor anchors (&name)'],
    [
      'a: 1\ntype: !!js/function x\n',
      '2:7 YAML tag "!!js/function" is not allowed: a hand-off file holds plain values only',
    ],
    ['a: 1\na: 2\n', '2:1 not a readable hand-off file: duplicate key "a"'],
    ['a: {b: 1, b: 2}\n', '1:11 not a readable hand-off file: duplicate key "b"'],
    ['__proto__: {x: 1}\n', '1:1 not a readable hand-off file: the key "__proto__" is not allowed'],
    ['a: 1\n---\nb: 2\n', '2:1 not a readable hand-off file: a second YAML document is not allowed'],
    ['%YAML 1.2\n---\na: 1\n', '1:1 not a readable hand-off file: YAML directives are not allowed'],
    ['a:\n\t- 1\n', '2:1 not a readable hand-off file: a tab in the indentation (YAML indents with spaces)'],
    ['a: .inf\n', '1:4 not a readable hand-off file: .inf has no JSON form'],
    ['a: "open\n', '1:4 not a readable hand-off file: a quoted value is not closed'],
    ['a: [1, 2\n', '1:4 not a readable hand-off file: a [list is not closed'],
    ['a: b: c\n', '1:4 not a readable hand-off file: a key inside a value: quote the value'],
    ['a:\n    b: 1\n  c: 2\n', '3:3 not a readable hand-off file: bad indentation'],
    ['a: "x" y\n', '1:8 not a readable hand-off file: unexpected text after the value'],
    ['a: "\\q"\n', '1:5 not a readable hand-off file: an unknown escape "\\q"'],
    ['a: 1\rb: 2\n', '1:5 not a readable hand-off file: a carriage return that does not end a line'],
    ['', '1:1 not a readable hand-off file: the file is empty'],
    [`a: ${'['.repeat(100)}${']'.repeat(100)}\n`, '1:68 not a readable hand-off file: nested too deeply'],
  ])('refuses %j at its place', (text, message) => {
    expect(refused(text)).toBe(message)
  })

  it('records where each value is, when asked', () => {
    const positions = new Map()
    const value = readYaml('a: 1\nlist:\n  - x: 1\n    y: [2, 3]\n', positions) as {list: [{y: number[]}]}
    expect(positions.get(value)!.get('list')).toEqual({key: [2, 1], value: [3, 3]})
    expect(positions.get(value.list)!.get(0)).toEqual({value: [3, 5]})
    expect(positions.get(value.list[0])!.get('y')).toEqual({key: [4, 5], value: [4, 8]})
    expect(positions.get(value.list[0].y)!.get(1)).toEqual({value: [4, 12]})
  })
})

describe('readYamlStreaming', () => {
  /** Reads `text` streaming `events`: what `begin` saw, the items in order, and the document. */
  const streamed = (text: string) => {
    const seen: {before?: unknown; items: [unknown, number][]} = {items: []}
    const value = readYamlStreaming(text, {
      key: 'events',
      begin(before) {
        seen.before = before
        return (item, index) => void seen.items.push([item, index])
      },
    })
    return {...seen, value}
  }
  const text = 'a: 1\nb: [x]\nevents:\n  - {n: 1}\n  - n: 2\n    m: [3]\n  - plain\nafter: z\n'

  it('hands each item of the top-level list over in order, with the keys read before it; the document keeps []', () => {
    const {before, items, value} = streamed(text)
    expect(before).toEqual({a: 1, b: ['x']})
    expect(items).toEqual([
      [{n: 1}, 0],
      [{n: 2, m: [3]}, 1],
      ['plain', 2],
    ])
    expect(value).toEqual({...(parse(text) as object), events: []})
  })

  it('reads the list as usual when it is not a block list at the top level', () => {
    for (const other of ['a: 1\nevents: [{n: 1}]\n', 'a:\n  events:\n    - n: 1\n', 'events:\n- n: 1\n- n: 2\n'])
      if (other.startsWith('events:\n-')) expect(streamed(other).items).toHaveLength(2)
      else expect(streamed(other)).toEqual({items: [], value: parse(other)})
  })

  it('refuses what the whole reader refuses, at the same place', () => {
    const bad = text.replace('  - plain', '  - *alias')
    expect(() => streamed(bad)).toThrow(YamlSyntaxError)
    expect(() => streamed(bad)).toThrow(/aliases/)
  })
})
