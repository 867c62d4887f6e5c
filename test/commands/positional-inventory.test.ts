/** The inventory as a positional path wherever --inventory is accepted, as conftest, goss and markdownlint allow. */
import {spawn} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {BIN, EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, ROOT, run, AUDIT_EXAMPLE} from './helpers.js'

/** `node bin/run.js ARGS...` as a child whose standard input is a pipe carrying `input`, as in `… | while read`. */
function runWithStdin(args: string[], input: string): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = {}
    for (const [k, v] of Object.entries(process.env))
      if (!/^(FLEET_AUDIT_|LC_|VITEST|NODE_ENV$|LANG$)/.test(k)) env[k] = v
    const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: {...env, NO_COLOR: '1', LANG: 'C'}})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('close', (code) => done({code, stdout, stderr}))
    child.stdin.end(input)
  })
}

describe.concurrent('positional inventory', () => {
  it('inventory validate DIR is the same as inventory validate -i DIR', async () => {
    const [positional, flag] = await Promise.all([
      run(['inventory', 'validate', EXAMPLE, '--now', EXAMPLE_NOW, '--format', 'json']),
      run(['inventory', 'validate', '-i', EXAMPLE, '--now', EXAMPLE_NOW, '--format', 'json']),
    ])
    expect(positional.stderr).toBe('')
    expect(positional.code).toBe(1)
    expect(positional.stdout).toBe(flag.stdout)
  })

  it('audit DIR --facts FACTS is the same as audit -i DIR --facts FACTS', async () => {
    const [positional, flag] = await Promise.all([
      run(['audit', EXAMPLE, '--facts', EXAMPLE_FACTS, '--now', EXAMPLE_NOW]),
      run([...AUDIT_EXAMPLE]),
    ])
    expect(positional.code).toBe(1)
    expect(positional.stdout).toContain('13 findings (8 critical, 4 high), 1 waived')
    expect(positional.stdout).toBe(flag.stdout)
  })

  it('the positional path wins over FLEET_AUDIT_INVENTORY', async () => {
    const r = await run(['inventory', 'validate', EXAMPLE, '--now', EXAMPLE_NOW], {
      env: {FLEET_AUDIT_INVENTORY: 'no-such-folder'},
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
  })

  it('an inventory given both ways, differently, is exit 2', async () => {
    const r = await run(['audit', EXAMPLE, '-i', 'other/', '--facts', EXAMPLE_FACTS])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`the inventory is given twice: "${EXAMPLE}" and --inventory "other/" (give one) (E_FLAG)\n`)
  })

  it('inventory diff DIR --base BASE and collect DIR take it too (input checked before any connection)', async () => {
    const diff = await run(['inventory', 'diff', EXAMPLE, '--base', EXAMPLE, '--now', EXAMPLE_NOW])
    expect(diff.stderr).toBe('')
    expect(diff.stdout).toContain('Plan: 0 to add, 0 to remove, 0 to change.')
    const collect = await run(['collect', 'no-such-inventory', '--only', 'X'])
    expect(collect.code).toBe(2)
    expect(collect.stderr).toContain('no-such-inventory')
  })

  it('piped standard input is never taken for the positional inventory (a `while read` loop, a CI step)', async () => {
    // oclif fills a missing positional argument from piped stdin unless told not to: the loop's next line became the
    // inventory, and `audit -i DIR` was exit 2 ("the inventory is given twice").
    const r = await runWithStdin([...AUDIT_EXAMPLE], 'fleet-audit history --db x\n')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('13 findings (8 critical, 4 high), 1 waived')
    const show = await runWithStdin(['rules', 'show'], 'placement/nw-terminal-in-shared-zone\n')
    expect(show.code).toBe(2)
    expect(show.stdout).toBe('')
  })

  it('check ID [INVENTORY]: the terminal first, then the inventory', async () => {
    const r = await run(['check', 'NO-SUCH-1', EXAMPLE, '--identity', '/dev/null'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--only: unknown terminal "NO-SUCH-1"')
    expect(r.stderr).not.toContain('inventory/')
  })
})
