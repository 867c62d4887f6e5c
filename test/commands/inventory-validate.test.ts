import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {stringify} from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'

import {EXAMPLE, lines, run, STACK_LINE, tempDir} from './helpers.js'

const FIX = 'test/fixtures/inventories'
const tmp = tempDir('fa-validate-')
afterAll(tmp.remove)

describe.concurrent('inventory validate', () => {
  it('prints each problem of an invalid inventory as file:line:column message (CODE) on stderr, exit 2', async () => {
    const r = await run(['inventory', 'validate', '-i', `${FIX}/invalid-unknown-ref.yaml`, '--now', '2026-11-27'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(readFileSync(`${FIX}/invalid-unknown-ref.expected`, 'utf8'))
  })

  it('reports a folder with the policy declared twice, naming both files', async () => {
    const r = await run(['inventory', 'validate', '-i', `${FIX}/invalid-policy-twice`, '--now', '2026-11-27'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(readFileSync(`${FIX}/invalid-policy-twice.expected`, 'utf8'))
  })

  it('passes a valid inventory with exit 0 and says there is nothing to report', async () => {
    const r = await run(['inventory', 'validate', '-i', `${FIX}/valid.yaml`, '--now', '2026-11-27'])
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('No findings.\n\n0 findings, 0 waived; 0 failing (--fail-on high)\n')
    expect(r.code).toBe(0)
  })

  it('the example fails validation on its placement findings (exit 1), without looking at facts', async () => {
    const r = await run(['inventory', 'validate', '-i', EXAMPLE, '--now', '2026-11-27', '--format', 'json'])
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    expect(result.kind).toBe('validate')
    expect(result.facts).toBeUndefined()
    expect(new Set(result.findings.map((f: {rule: string}) => f.rule.split('/')[0]))).toEqual(
      new Set(['placement', 'waiver']),
    )
  })

  it('a path that is neither a file nor a folder is unusable input (exit 2), not an internal error', async () => {
    const r = await run(['inventory', 'validate', '-i', '/dev/null', '--now', '2026-11-27'])
    expect(r.stderr).not.toMatch(/internal error/)
    expect(r.code).toBe(2)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/^\/dev\/null/)
  })

  it('a missing inventory is exit 2 with a hint', async () => {
    const r = await run(['inventory', 'validate', '-i', 'no/such/inventory', '--now', '2026-11-27'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'no/such/inventory inventory not found (pass --inventory FILE|DIR or set "inventory" in fleet-audit.yaml) (E_NOT_FOUND)\n',
    )
  })
})

describe('more than 50 problems', () => {
  const file = join(tmp.dir, 'many.yaml')
  const terminals = Array.from({length: 60}, (_, i) => ({
    id: `T-${i}`,
    hostname: `t-${i}`,
    site: 's1',
    zone: `nowhere-${i}`,
    owner: 'grid',
    role: 'nw',
  }))
  writeFileSync(
    file,
    stringify({
      companies: [{id: 'grid', name: 'Grid', side: 'nw'}],
      sites: [{id: 's1', name: 'S', zones: [{id: 'z', name: 'Z', kind: 'office', access: ['grid']}]}],
      terminals,
    }),
  )

  it('shows 50 lines on the terminal, then "… N more"', async () => {
    const r = await run(['inventory', 'validate', '-i', file, '--now', '2026-11-27'])
    expect(r.code).toBe(2)
    const out = lines(r.stderr)
    expect(out).toHaveLength(51)
    for (const l of out.slice(0, 50))
      expect(l).toMatch(new RegExp(`^${file}:\\d+:\\d+ unknown zone "nowhere-\\d+" .*\\(E_REF\\)$`))
    expect(out[50]).toBe('… 10 more (use --json to see all)')
  })

  it('--json carries all of them, still exit 2', async () => {
    const r = await run(['inventory', 'validate', '-i', file, '--now', '2026-11-27', '--json'])
    expect(r.code).toBe(2)
    const body = JSON.parse(r.stdout)
    expect(body.error.exit).toBe(2)
    expect(body.error.problems).toHaveLength(60)
    expect(body.error.problems[59]).toMatchObject({code: 'E_REF', file, message: 'unknown zone "nowhere-59"'})
    expect(typeof body.error.problems[59].line).toBe('number')
  })
})

describe.concurrent('hostile input: exit 2, one line naming the file, no stack trace, quickly', () => {
  const w = (name: string, content: string | Buffer) => {
    const f = join(tmp.dir, name)
    writeFileSync(f, content)
    return f
  }

  const level = (l: string) => `[${'"lol",'.repeat(8)}"lol"]`.replace(/"lol"/g, l)
  const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  for (const [prev, name] of [
    ['a', 'b'],
    ['b', 'c'],
    ['c', 'd'],
    ['d', 'e'],
    ['e', 'f'],
    ['f', 'g'],
    ['g', 'h'],
    ['h', 'i'],
  ])
    bomb.push(`${name}: &${name} ${level(`*${prev}`)}`)

  const cases: [string, () => string, string[], RegExp][] = [
    [
      'an alias bomb (billion laughs)',
      () => w('bomb.yaml', `${bomb.join('\n')}\n`),
      [],
      /^\S+bomb\.yaml .*\(E_ALIAS\)$/,
    ],
    [
      'a file over --max-file-size, refused before parsing',
      () => w('big.yaml', `x: [${'['.repeat(5000)}\n`),
      ['--max-file-size', '1024'],
      /^\S+big\.yaml file is 5005 bytes, over the limit of 1024 \(--max-file-size\) \(E_TOO_LARGE\)$/,
    ],
    [
      '10,000 nested [ ]',
      () => w('deep.yaml', `x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`),
      [],
      /^\S+deep\.yaml(:\d+:\d+)? .*\(E_[A-Z_]+\)$/,
    ],
    [
      '10,000 unclosed [',
      () => w('deep-open.yaml', `x: ${'['.repeat(10_000)}\n`),
      [],
      /^\S+deep-open\.yaml(:\d+:\d+)? .*\(E_[A-Z_]+\)$/,
    ],
    [
      'binary bytes with a NUL',
      () => w('nul.yaml', Buffer.from('companies:\n  - id: a\u0000\u0001\u0002\n')),
      [],
      /^\S+nul\.yaml:2:10 binary content \(NUL byte\), not a text file \(E_BINARY\)$/,
    ],
    [
      'invalid UTF-8, pointing at the bad byte',
      () =>
        w(
          'latin1.yaml',
          Buffer.concat([
            Buffer.from('companies:\n  - {id: a, name: caf'),
            Buffer.from([0xe9]),
            Buffer.from(', side: nw}\n'),
          ]),
        ),
      [],
      /^\S+latin1\.yaml:2:22 not valid UTF-8 \(E_ENCODING\)$/,
    ],
    ['an empty file', () => w('empty.yaml', ''), [], /^\S+empty\.yaml the file is empty \(E_EMPTY\)$/],
    [
      'a duplicate key',
      () => w('dupkey.yaml', 'companies: []\ncompanies: []\n'),
      [],
      /^\S+dupkey\.yaml:2:1 .*\(E_DUPLICATE_KEY\)$/,
    ],
  ]

  for (const [name, make, flags, pattern] of cases) {
    it(name, async () => {
      const file = make()
      const r = await run(['inventory', 'validate', '-i', file, '--now', '2026-11-27', ...flags], {timeout: 10_000}) // a hang fails here: bounded, not timed
      expect(r.stderr).not.toMatch(STACK_LINE)
      expect(r.stderr).not.toMatch(/internal error/)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(lines(r.stderr)).toHaveLength(1)
      expect(r.stderr.trimEnd()).toMatch(pattern)
      expect(r.stderr.startsWith(file)).toBe(true)
    })
  }
})
