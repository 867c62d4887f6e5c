import {readdirSync, readFileSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

// @ts-expect-error: the benchmark's generator is plain JavaScript
import {generate} from '../../../bench/generate.mjs'
import {fastParseYaml} from '../../../src/io/yaml-fast.js'
import {
  forEachField,
  nodeAt,
  parseYamlDocument,
  parseYamlText,
  positionAt,
  positionOfNode,
  positionReader,
  seqItems,
  type YamlSource,
} from '../../../src/io/yaml.js'

const root = join(import.meta.dirname, '..', '..', '..')

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return yamlFiles(p)
    return name.endsWith('.yaml') || name.endsWith('.yml') ? [p] : []
  })
}

/** Every path to a value in a JS value, plus paths that do not exist (a missing key, an index past the end). */
function paths(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix)
  if (Array.isArray(value)) {
    value.forEach((v, i) => paths(v, [...prefix, i], out))
    out.push([...prefix, value.length], [...prefix, 'x'])
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out)
    out.push([...prefix, 'no_such_key'])
  } else out.push([...prefix, 'deeper'])
  return out
}

/** The node handles' positions and fields, read through the same helpers parse-file.ts uses. */
function nodeView(src: YamlSource, path: (string | number)[]): unknown {
  const node = nodeAt(src, path)
  const read = positionReader(src)
  return {
    at: node === undefined ? undefined : positionOfNode(src, node),
    items: seqItems(src, node)?.map((item) => {
      const fields: Record<string, unknown> = {}
      forEachField(src, item, (key, value) => (fields[key] = [positionOfNode(src, value), read(value)]))
      return {at: read(item), fields}
    }),
  }
}

/**
 * The fast path must either decline (and the library reads the text, errors and all) or give exactly the library's
 * value and positions.
 */
function same(text: string, expectFast?: boolean): void {
  const fast = fastParseYaml(text)
  if (expectFast !== undefined)
    expect(fast !== undefined, `fast path ${expectFast ? 'declined' : 'took'}:\n${text}`).toBe(expectFast)
  const full = parseYamlDocument('f.yaml', text)
  const viaFront = parseYamlText('f.yaml', text)
  if (!fast) {
    // Declined: the front door gives the library's answer, errors included.
    expect(viaFront.ok).toBe(full.ok)
    if (!full.ok && !viaFront.ok) expect(viaFront.problems).toEqual(full.problems)
    if (full.ok && viaFront.ok) expect(viaFront.source.value).toEqual(full.source.value)
    return
  }

  expect(
    full.ok,
    `the fast path read text the library refuses:\n${text}\n${JSON.stringify(!full.ok && full.problems)}`,
  ).toBe(true)
  if (!full.ok || !viaFront.ok) return
  expect(viaFront.source.fast).toBeDefined()
  expect(fast.value).toStrictEqual(full.source.value)
  expect(Object.is(fast.value, full.source.value)).toBe(false)
  for (const p of paths(full.source.value)) {
    expect(positionAt(viaFront.source, p), JSON.stringify(p)).toEqual(positionAt(full.source, p))
    expect(positionAt(viaFront.source, p, true), JSON.stringify(p)).toEqual(positionAt(full.source, p, true))
    expect(nodeView(viaFront.source, p), JSON.stringify(p)).toEqual(nodeView(full.source, p))
  }

  // The lazily parsed Document is the library's own.
  expect(viaFront.source.doc.toJS()).toStrictEqual(full.source.value)
}

describe('fast YAML path: same values, positions and errors as the yaml library', () => {
  it('reads every YAML file of the repository (example inventory, templates, rules) as the library does', () => {
    const files = ['inventories', 'templates', 'rules'].flatMap((d) => yamlFiles(join(root, d)))
    expect(files.length).toBeGreaterThan(10)
    const took: string[] = []
    for (const f of files) {
      const text = readFileSync(f, 'utf8')
      same(text)
      if (fastParseYaml(text)) took.push(f)
    }

    // The example's site files (the bulk of a real inventory) are written in the plain subset.
    const sites = yamlFiles(join(root, 'inventories', 'tohoku-example', 'sites'))
    expect(sites.length).toBeGreaterThan(2)
    for (const f of sites) expect(took).toContain(f)
  })

  it('reads generated inventories (one file and one per site) on the fast path', () => {
    for (const split of [false, true]) {
      const {inventory} = generate(join(tmpdir(), `fa-yaml-fast-${process.pid}-${split}`), 120, {split, perSite: 50})
      for (const f of yamlFiles(inventory)) same(readFileSync(f, 'utf8'), true)
    }
  })

  const taken = [
    'a: 1',
    'a: 1\n',
    'a: 1\nb: two\n',
    '# head\na: 1 # c\n\n  # indented comment\nb:   x y  \n# tail',
    'a:\n  b:\n    c: 1\n  d: [1, 2, {e: f}]\n',
    'a:\n- 1\n- x\nb: 2',
    'a:\n  - 1\n  -   x\n',
    '- a\n- b: 1\n  c: 2\n-\n  d: 3\n- [x, y]\n- {p: q}\n',
    "k: \"SHA256:abc/def+ghi\"\nq: 'it''s'\ne: \"\"\nf: ''\n",
    'n: [null, Null, NULL, ~, nil, none]\n',
    'b: [true, True, TRUE, false, False, FALSE, yes, no, on, off, tRUE]\n',
    'i: [0, -0, +5, 007, 0o17, 0x1F, 0xff, 1_000, 99999999999999999999, 0o8, 0xg]\n',
    'f: [1.5, -1.0, .5, 5., +.inf, -.Inf, .NAN, .nan, 1e3, 1.5E-2, -.5e+1, 1e, e1, .inf.]\n',
    'plain: 2030-04-01\nt: 12:30\nu: http://x.example/y?z=1#frag\nv: a#b\nw: 10.0.0.0/24\nx: fe80::1\n',
    'j: 送配電 営業所 0\nk: 「x」\nl: -5\nm: -foo\nn: ---\n',
    'policy: {idcard_required_from: "2030-04-01", freshness_days: 7, timezone: Asia/Tokyo}\n',
    'ssh: {user: audit, port: 22, host_key: "SHA256:x", profile: linux}\n',
    'e: []\nf: {}\ng: [ ]\nh: [ a ,b ]\n',
    'constructor: 1\ntoString: 2\nhasOwnProperty: x\n',
    'a.b: 1\nc-d: 2\n_e: 3\n',
    'a:\n  - b:\n    - 1\n    c: 2\n  - d\n',
    '-   a: 1\n    b: 2\n- c\n',
    'nested: [[1, [2, [3]]], {a: {b: [c]}}]\n',
    'subnets: [192.0.2.0/25, 2001:db8:20::/48, a:b, fe80::1%eth0]\nm: {k: a:b, l: x::1}\n',
    'a: x  # comment\nb: "q" # comment\nc: [1] # comment\nd: # comment\n  e: 1\n',
  ]
  it.each(taken)('takes the fast path and agrees: %j', (text) => same(text, true))

  const declined = [
    '',
    '\n',
    '# only a comment\n',
    '---\na: 1\n',
    'a: 1\n---\nb: 2\n',
    'a: 1\n...\n',
    '%YAML 1.2\n---\na: 1\n',
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: !custom 1\n',
    'a: |\n  text\n',
    'a: >\n  text\n',
    'a: multi\n  line\n',
    'a: "multi\n  line"\n',
    'a: "esc\\n"\n',
    'a: [1,\n  2]\n',
    'a:\tb\n',
    'a: 1\r\nb: 2\r\n',
    '\uFEFFa: 1\n',
    'a: 1\na: 2\n',
    'a: {x: 1, x: 2}\n',
    'a:\nb: 1\n',
    'a:\n',
    'a: b: c\n',
    'a: b:\n',
    '"a": 1\n',
    '? a\n: 1\n',
    '<<: {a: 1}\n',
    '__proto__: 1\n',
    'null: 1\n',
    'true: 1\n',
    '1: 1\n',
    'a b: 1\n',
    'a: 1\n  b: 2\n',
    'a:\n    b: 1\n  c: 2\n',
    '  a: 1\n',
    '- - a\n',
    'a: - b\n',
    'a: [1, ]\n',
    'a: [1, , 2]\n',
    'a: [a: 1]\n',
    'a: [x#y]\n',
    'a: [b:]\n',
    'a: [b:, c]\n',
    'a: [b:]]\n',
    'a: {b: c:}\n',
    'a: [b: c]\n',
    'a: [::]\n',
    'a: {b}\n',
    'a: {b:1}\n',
    'a: [1] x\n',
    'a: "x" y\n',
    'a: "x"#y\n',
    'a: @x\n',
    'a: `x\n',
    'a: %x\n',
    'a: ? x\n',
    'a: :x\n',
    'just a scalar\n',
    '"quoted"\n',
    '[1, 2]\n',
    'a: 1\n- b\n',
    '- a\nb: 1\n',
    'a: [1, 2\n',
    'a: \u0085x\n',
    'a: x\u2028y\n',
    'a:\u0000\n',
    `a: ${'['.repeat(80)}${']'.repeat(80)}\n`,
    `${'k' + 'e'.repeat(1100)}: 1\n`,
    Array.from({length: 60}, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n') + ' 1\n',
  ]
  it.each(declined)('declines and the library decides: %j', (text) => same(text, false))

  it('agrees on every snippet with comments and blank lines placed anywhere', () => {
    const base = ['a:', '  b: 1', '  c:', '  - x', '  - y: 2', '    z: [3]', 'd: e']
    for (let at = 0; at <= base.length; at++)
      for (const extra of ['', '#c', '  #c', '    # c', '      #c', ' ']) {
        const lines = [...base]
        lines.splice(at, 0, extra)
        same(lines.join('\n'))
        same(lines.join('\n') + '\n')
      }
  })

  it('agrees on hostile variants of a terminal record (a character changed, dropped or added anywhere)', () => {
    const base =
      'terminals:\n  - id: T1\n    macs: ["02:00:00:00:00:01"]\n    tags: [a, b]\n    ssh: {user: x, port: 22}\n    note: n\n'
    const alphabet = [
      ' ',
      '\n',
      ':',
      '-',
      '#',
      '"',
      "'",
      '[',
      ']',
      '{',
      '}',
      ',',
      '&',
      '*',
      '!',
      '|',
      '>',
      '?',
      '~',
      '0',
      'x',
    ]
    for (let i = 0; i < base.length; i++) {
      same(base.slice(0, i) + base.slice(i + 1))
      for (const ch of alphabet) {
        same(base.slice(0, i) + ch + base.slice(i + 1))
        same(base.slice(0, i) + ch + base.slice(i))
      }
    }
  })

  it('agrees on 3,000 random documents built from plain, edge and hostile pieces (seeded, reproducible)', () => {
    let seed = 20261130
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }

    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]
    const keys = ['id', 'name', 'a', 'b', 'site', 'x.y', 'k-1', '_z', 'null', 'true', '1', 'a b', '"q"', '<<', 'id']
    const scalars = [
      'x',
      'Debian 12',
      '送配電',
      '0',
      '-1',
      '+1',
      '0x1A',
      '0o7',
      '1.50',
      '.5',
      '1e3',
      '.inf',
      '-.INF',
      '.nan',
      '~',
      'null',
      'True',
      'no',
      '2030-04-01',
      '12:30',
      'a:b',
      'a: b',
      'a#b',
      'a #b',
      '"s"',
      "'s'",
      "'it''s'",
      '"a\\"b"',
      '""',
      '-',
      '- x',
      '-x',
      '?',
      '? x',
      ':x',
      '&a x',
      '*a',
      '!t x',
      '|',
      '>',
      '@x',
      '%x',
      '[1, 2]',
      '[]',
      '{}',
      '{a: 1}',
      '{a: 1, a: 2}',
      '[a, [b, {c: d}]]',
      '[a,]',
      '[a:b]',
      '[a: b]',
      '{a}',
      '10.0.0.0/8',
      'fe80::1',
      'x # c',
      '"x" # c',
      '[1] # c',
      '',
      'a,b',
      'x  ',
      '"unterminated',
      "'x",
      '[1, 2',
      '{a: 1',
    ]
    const comments = ['', '# c', '  # c', '#c', ' ']
    const doc = (depth: number, indent: number, out: string[]): void => {
      const pad = ' '.repeat(indent)
      const asSeq = rnd(3) === 0
      const n = 1 + rnd(4)
      for (let i = 0; i < n; i++) {
        if (rnd(6) === 0) out.push(pick(comments))
        const head = asSeq ? `${pad}-${rnd(8) === 0 ? '  ' : ' '}` : `${pad}${pick(keys)}:${rnd(10) === 0 ? '' : ' '}`
        if (depth < 3 && rnd(3) === 0) {
          out.push(head.trimEnd())
          doc(depth + 1, indent + (asSeq ? 2 : pick([0, 1, 2, 2, 2, 4])), out)
        } else if (asSeq && depth < 3 && rnd(4) === 0) {
          // A mapping that starts on the item's line.
          const inner: string[] = []
          doc(depth + 1, indent + 2, inner)
          const first = inner.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'))
          if (first === -1) continue
          inner[first] = head + inner[first].slice(indent + 2)
          out.push(...inner.slice(first))
        } else out.push(head + pick(scalars))
      }
    }

    let took = 0
    for (let i = 0; i < 3000; i++) {
      const out: string[] = []
      doc(0, 0, out)
      const text = out.join('\n') + (rnd(2) === 0 ? '\n' : '')
      same(text)
      if (fastParseYaml(text)) took++
    }

    // Both sides are exercised: many documents on the fast path, many left to the library.
    console.log(`random documents on the fast path: ${took} of 3000`)
    expect(took).toBeGreaterThan(300)
    expect(took).toBeLessThan(2700)
  })

  it('agrees on seeded structural, deep, long-key, scalar and mutated documents (a bounded differential fuzzer)', () => {
    let seed = 0x5eed2026
    const rnd = (n: number): number => {
      // xorshift32: reproducible, and spread well enough for small ranges.
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) % n
    }

    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]

    // Lines built from block indicators at columns drawn from those already open: every way to nest, end or
    // misalign a block map or sequence, a few lines at a time.
    const heads = [
      '- ',
      '- ',
      '-',
      'K: ',
      'K: ',
      'K:',
      'K:',
      '- K: ',
      '- K:',
      '-   K: ',
      '# c',
      '',
      '- - ',
      'K : ',
      '? ',
    ]
    const tails = [
      '1',
      'x',
      'x # c',
      '[1]',
      '{a: b}',
      '"q"',
      "'q'",
      '# c',
      '',
      '- x',
      'a: b',
      '[a,',
      '|',
      '&x y',
      'yes',
    ]
    const structural = (): string => {
      const lines: string[] = []
      const cols = [0]
      let k = 0
      for (let i = 0, n = 1 + rnd(9); i < n; i++) {
        const head = pick(rnd(3) ? heads.slice(0, 12) : heads).replace('K', `k${rnd(15) ? k++ : rnd(k + 1)}`)
        const tail = /[:-]$/.test(head) ? (rnd(2) ? '' : ` ${pick(tails)}`) : head.endsWith(' ') ? pick(tails) : ''
        const indent = i === 0 ? 0 : Math.max(0, pick(cols) + pick([0, 0, 0, 1, 2, 2, 4, -1]))
        lines.push(' '.repeat(indent) + head + tail)
        cols.push(indent)
        const item = /^(-\s+)\S/.exec(head)
        if (item) cols.push(indent + item[1].length)
      }

      return lines.join('\n') + (rnd(2) ? '\n' : '')
    }

    // Nesting around the fast path's depth limit (48) and the library's (64), in block and flow style.
    const deep = (): string => {
      const depth = 30 + rnd(45)
      const lines: string[] = []
      let indent = 0
      if (rnd(2) === 0) {
        let inner = 'x'
        for (let i = 0; i < depth; i++) inner = rnd(2) ? `[${inner}]` : `{k: ${inner}}`
        return `k: ${inner}\n`
      }

      for (let i = 0; i < depth; i++) {
        const kind = rnd(3)
        lines.push(' '.repeat(indent) + (kind === 0 ? '-' : kind === 1 ? `k${i}:` : '- a:'))
        indent += kind === 2 ? 2 : 1 + rnd(2)
      }

      return `${lines.join('\n')}\n${' '.repeat(indent)}z: 1\n`
    }

    // Keys and lines around the library's 1024-character limit for implicit keys.
    const long = (): string => {
      const k = 'k'.repeat(pick([999, 1000, 1001, 1023, 1024, 1025, 3000]))
      return pick([`${k}: 1\n`, `a: {${k}: 1}\n`, `- ${k}: 1\n  b: 2\n`, `a:\n  ${k}:\n    - x\n`])
    }

    // Scalars the core schema may read as something other than a string, and Unicode look-alikes, in every context.
    const chars = '0123456789.+-eExob_:aAfFnNiItTrRuUlL~ #\u00A0\u3000\u200B\uFF1A'
    // YAML 1.1's readings (booleans, sexagesimals, binary, octal, timestamps), which YAML 1.2 reads as strings.
    const yaml11 = [
      'yes',
      'Yes',
      'NO',
      'on',
      'Off',
      'y',
      'N',
      '1:20',
      '190:20:30.15',
      '0b101',
      '017',
      '1_000',
      '2001-12-14',
    ]
    const scalar = (): string => {
      let v = rnd(4) === 0 ? pick(yaml11) : ''
      for (let i = 0, n = rnd(4) === 0 ? 0 : 1 + rnd(6); i < n; i++) v += chars[rnd(chars.length)]
      return pick([`a: ${v}\n`, `- ${v}\n`, `a: [${v}]\n`, `a: {b: ${v}}\n`, `a: [x, ${v}, y]\n`, `${v}: 1\n`])
    }

    // The repository's own YAML (the files in the fast path's subset) with characters, indicators and lines changed.
    const corpus = ['inventories', 'templates', 'test/fixtures']
      .flatMap((d) => yamlFiles(join(root, d)))
      .map((f) => readFileSync(f, 'utf8'))
      .filter((text) => fastParseYaml(text))
    const pieces = [
      ' ',
      '\n',
      ': ',
      '- ',
      '#',
      ' #',
      '"',
      "'",
      '[',
      ']',
      '{',
      '}',
      ',',
      '&',
      '*',
      '!',
      '|',
      '?',
      '~',
    ].concat([
      '\t',
      '\r\n',
      '\u0085',
      '\u2028',
      '\uFEFF',
      '\u00A0',
      '\uFF1A',
      '---',
      '\n...\n',
      '__proto__',
      'null',
      'yes',
      '0x1F',
    ])
    const mutated = (): string => {
      let t = pick(corpus)
      for (let m = 0, n = 1 + rnd(3); m < n; m++) {
        const i = rnd(t.length + 1)
        const op = rnd(4)
        if (op === 0) t = t.slice(0, i) + t.slice(i + 1)
        else if (op === 1) t = t.slice(0, i) + pick(pieces) + t.slice(i)
        else if (op === 2) t = t.slice(0, i) + pick(pieces) + t.slice(i + 1)
        else {
          const lines = t.split('\n')
          const a = rnd(lines.length)
          if (rnd(2)) lines.splice(rnd(lines.length), 0, lines[a])
          else lines[a] = ' '.repeat(rnd(3)) + lines[a].replace(/^ /, '')
          t = lines.join('\n')
        }
      }

      return t
    }

    const kinds = {structural, deep, long, scalar, mutated}
    const counts: Record<string, number> = {structural: 3000, deep: 150, long: 100, scalar: 600, mutated: 120}
    const took: Record<string, number> = {}
    for (const [name, make] of Object.entries(kinds)) {
      took[name] = 0
      for (let i = 0; i < counts[name]; i++) {
        // A declined text is the library's alone (the tests above check the front door gives its answer); only a text
        // the fast path takes can disagree.
        const text = make()
        if (!fastParseYaml(text)) continue
        took[name]++
        same(text, true)
      }
    }

    // Every kind of document reaches the fast path often enough to test it.
    for (const [name, n] of Object.entries(took)) expect(n, name).toBeGreaterThan(counts[name] / 20)
  })
})
