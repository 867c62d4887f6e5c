/**
 * Files in the YAML fast path's subset are parsed in the main thread; over 2 MiB of files it declines are parsed by
 * the `yaml` library in worker threads (src/inventory/parse-pool.ts). The compiled CLI takes that path, in-process
 * unit tests (TypeScript sources) do not. Positions and problems must come out the same either way.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {lines, run, STACK_LINE, tempDir} from './helpers.js'

const tmp = tempDir('fa-large-')
afterAll(tmp.remove)

const N = 12_000
/** Line of terminal i in big.yaml (1-based): 8 header lines, then one line per terminal. */
const lineOf = (i: number) => 9 + i

function bigFile(): string {
  const out = [
    'companies:',
    '  - {id: grid, name: Grid, side: nw}',
    'sites:',
    '  - id: s1',
    '    name: Site',
    '    zones:',
    '      - {id: z, name: Office, kind: office, access: [grid]}',
    'terminals:',
  ]
  for (let i = 0; i < N; i++)
    out.push(
      `  - {id: T-${i}, hostname: t-${i}, site: s1, zone: z, owner: grid, role: nw, serial: SN${String(i).padStart(8, '0')}, note: '${'x'.repeat(100)}'}`,
    )
  return `${out.join('\n')}\n`
}

const big = bigFile()

describe.concurrent('a large inventory folder (parsed in worker threads)', () => {
  it('keeps positions across files: a duplicate serial names both declarations', async () => {
    const dir = join(tmp.dir, 'valid')
    mkdirSync(dir)
    // An escape in a double-quoted scalar is outside the fast path: both files go to the worker threads.
    writeFileSync(join(dir, 'a-big.yaml'), big.replace('name: Grid', 'name: "Gri\\x64"'))
    writeFileSync(
      join(dir, 'b-small.yaml'),
      'terminals:\n  - {id: X-1, hostname: x-1, site: s1, zone: z, owner: grid, role: nw, serial: SN00007777, note: "\\x41"}\n',
    )
    const r = await run(['inventory', 'validate', '-i', dir, '--now', '2026-11-27', '--format', 'json'], {
      timeout: 60_000,
    })
    console.log(
      `large inventory (${N + 1} terminals, ${Math.round(big.length / 1024)} KiB): exit ${r.code} in ${r.ms} ms`,
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    expect(result.inventory.terminals).toBe(N + 1)
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]).toMatchObject({
      rule: 'declaration/duplicate-identity',
      terminal: 'X-1',
      location: {file: join(dir, 'b-small.yaml'), line: 2, column: 80},
      related: [{file: join(dir, 'a-big.yaml'), line: lineOf(7777), column: 86}],
      message: {
        en: `serial "SN00007777" is also declared for terminal T-7777 at ${join(dir, 'a-big.yaml')}:${lineOf(7777)}:5`,
      },
    })
  })

  // a-big.yaml takes the fast path here; the small hostile files are the library's.
  it('reports the problems of every file, hostile ones included, exit 2 without a stack trace', async () => {
    const dir = join(tmp.dir, 'hostile')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'a-big.yaml'),
      big.replace('role: nw, serial: SN00000100', 'role: admin, serial: SN00000100'),
    )
    writeFileSync(join(dir, 'b-deep.yaml'), `x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`)
    writeFileSync(join(dir, 'c-empty.yaml'), '')
    const r = await run(['inventory', 'validate', '-i', dir, '--now', '2026-11-27'], {timeout: 60_000})
    expect(r.stderr).not.toMatch(STACK_LINE)
    expect(r.code).toBe(2)
    const out = lines(r.stderr)
    expect(out).toHaveLength(3)
    expect(out[0]).toBe(
      `${join(dir, 'a-big.yaml')}:${lineOf(100)}:72 terminals[100].role: must be one of "nw", "retail" (E_SCHEMA)`,
    )
    expect(out[1]).toMatch(new RegExp(`^${join(dir, 'b-deep.yaml')}(:\\d+:\\d+)? .*\\(E_[A-Z_]+\\)$`))
    expect(out[2]).toBe(`${join(dir, 'c-empty.yaml')} the file is empty (E_EMPTY)`)
  })
})
