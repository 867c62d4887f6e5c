/** The inventory as a positional path wherever --inventory is accepted, as conftest, goss and markdownlint allow. */
import {describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, run, AUDIT_EXAMPLE} from './helpers.js'

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

  it('check ID [INVENTORY]: the terminal first, then the inventory', async () => {
    const r = await run(['check', 'NO-SUCH-1', EXAMPLE, '--identity', '/dev/null'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--only: unknown terminal "NO-SUCH-1"')
    expect(r.stderr).not.toContain('inventory/')
  })
})
