/**
 * Hostile hand-off files through the compiled CLI: each one is exit 2 with one `file:line:column reason` line,
 * never a hang (FIFO), a crash (exit 3 on an alias bomb or deep nesting) or a silently accepted custom tag.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_NOW, retailInstallArgs, run, tempDir} from '../helpers.js'

const tmp = tempDir('fa-hostile-handoff-')
const at = (name: string) => join(tmp.dir, name)
let good: string

beforeAll(async () => {
  const db = ['--db', at('retail.sqlite'), '-i', EXAMPLE, '--now', EXAMPLE_NOW]
  const rec = await run(retailInstallArgs(db, 'IS-RT-103', '2026-11-20T10:00+09:00'))
  expect(rec.code).toBe(0)
  const exp = await run([
    'ledger',
    'export',
    ...db,
    '--from',
    'tohoku-epco',
    '--to',
    'tohoku-nw',
    '--key',
    join(EXAMPLE, 'keys', 'tohoku-epco.key'),
    '-o',
    at('handoff.yaml'),
  ])
  expect(exp.code).toBe(0)
  good = readFileSync(at('handoff.yaml'), 'utf8')
}, 60_000)

afterAll(() => tmp.remove())

/** `child`: a real process, for a file that could block the thread that opens it (a FIFO): a hang fails, never stalls. */
const importing = (file: string, child = false) =>
  run(
    [
      'ledger',
      'import',
      file,
      '--db',
      at(`nw-${file.split('/').pop()}.sqlite`),
      '-i',
      EXAMPLE,
      '--as',
      'tohoku-nw',
      '--now',
      EXAMPLE_NOW,
    ],
    {timeout: 30_000, child},
  )

describe('ledger import of hostile hand-off files', () => {
  it('refuses an alias bomb at the alias, not with an internal error', async () => {
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n'
    for (let i = 1; i < 20; i++) bomb += `a${i}: &a${i} [${Array.from({length: 10}, () => `*a${i - 1}`).join(', ')}]\n`
    writeFileSync(at('bomb.yaml'), good + bomb)
    const r = await importing(at('bomb.yaml'))
    expect(r.stderr).toMatch(/bomb\.yaml:\d+:\d+ not a readable hand-off file: aliases \(\*name\) are not allowed/)
    expect(r.code).toBe(2)
  })

  it('refuses a YAML tag outside the core schema at its position', async () => {
    writeFileSync(at('tag.yaml'), good.replace(/^type: events$/m, 'type: !!js/function events'))
    const r = await importing(at('tag.yaml'))
    expect(r.stderr).toMatch(/tag\.yaml:5:7 YAML tag "!!js\/function" is not allowed/)
    expect(r.code).toBe(2)
  })

  it('refuses a file nested 100,000 deep (exit 2, not a stack overflow)', async () => {
    const deep = good.replace('note: null', `note: ${'['.repeat(100_000)}${']'.repeat(100_000)}`)
    writeFileSync(at('deep.yaml'), deep)
    const r = await importing(at('deep.yaml'))
    // At the bracket that goes one level too deep, on the line of the note.
    const line = deep.slice(0, deep.indexOf('note: [')).split('\n').length
    expect(r.stderr).toMatch(new RegExp(`deep\\.yaml:${line}:73 not a readable hand-off file: nested too deeply`))
    expect(r.code).toBe(2)
  })

  it('refuses a FIFO instead of waiting on it forever', async () => {
    execFileSync('mkfifo', [at('fifo.yaml')])
    const r = await importing(at('fifo.yaml'), true)
    expect(r.stderr).toContain('fifo.yaml cannot read the hand-off file: not a regular file')
    expect(r.code).toBe(2)
  })
})
