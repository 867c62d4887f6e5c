/** Finding one's way: help in every usual spelling, and a "did you mean" for every mistyped name. */
import {describe, expect, it} from 'vitest'

import {closestCommands} from '../../commands/_lib/not-found.js'
import {lines, run} from './helpers.js'

describe.concurrent('help', () => {
  for (const argv of [['help'], ['--help'], ['-h']]) {
    it(`fleet-audit ${argv.join(' ')} lists the commands`, async () => {
      const r = await run(argv)
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      expect(r.stdout).toMatch(/^USAGE\n {2}\$ fleet-audit \[COMMAND\]$/m)
      expect(r.stdout).toMatch(/^ {2}audit {4}Audit terminals/m)
      expect(r.stdout).toMatch(/^ {2}help {5}Display help for fleet-audit\.$/m)
    })
  }

  for (const argv of [
    ['help', 'audit'],
    ['audit', '--help'],
    ['audit', '-h'],
    ['help', 'inventory', 'validate'],
    ['inventory', 'validate', '-h'],
  ]) {
    it(`fleet-audit ${argv.join(' ')} shows the command's help`, async () => {
      const r = await run(argv)
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      const id = argv.filter((a) => !a.startsWith('-') && a !== 'help').join(' ')
      expect(r.stdout).toContain(`$ fleet-audit ${id} [INVENTORY]`)
      expect(r.stdout).toMatch(/^ *EXIT CODES$/m)
    })
  }
})

describe.concurrent('did you mean', () => {
  it('a mistyped command suggests the nearest one, exit 2, one line', async () => {
    const r = await run(['audti', '-i', 'x'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      '"audti" is not a fleet-audit command (did you mean "fleet-audit audit"? see "fleet-audit help") (E_COMMAND)\n',
    )
  })

  it('a mistyped topic suggests the command with the topic fixed', async () => {
    const r = await run(['inventry', 'validate'])
    expect(r.code).toBe(2)
    expect(lines(r.stderr)).toEqual([
      '"inventry validate" is not a fleet-audit command (did you mean "fleet-audit inventory validate" or "fleet-audit inventory"? see "fleet-audit help") (E_COMMAND)',
    ])
  })

  it("a mistyped command under a right topic points at that topic's help", async () => {
    const r = await run(['rules', 'lst'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      '"rules lst" is not a fleet-audit command (did you mean "fleet-audit rules list"? see "fleet-audit help rules") (E_COMMAND)\n',
    )
  })

  it('help of a mistyped command suggests too', async () => {
    const r = await run(['help', 'colect'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      '"colect" is not a fleet-audit command (did you mean "fleet-audit collect"? see "fleet-audit help") (E_COMMAND)\n',
    )
  })

  it('an argument a command does not take is named as such', async () => {
    const r = await run(['rules', 'list', 'extra'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'unexpected argument "extra" for "fleet-audit rules list" (see "fleet-audit help rules list") (E_FLAG)\n',
    )
  })

  it('a mistyped flag suggests the nearest flag of that command', async () => {
    const r = await run(['audit', '--fact', 'facts/'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('Nonexistent flag: --fact (did you mean --facts? see "fleet-audit audit --help") (E_FLAG)\n')
    const none = await run(['audit', '--zzzz'])
    expect(none.stderr).toBe('Nonexistent flag: --zzzz (E_FLAG)\n')
  })

  it('an unknown rule id in rules show suggests the nearest ids, a bare slug its full id first', async () => {
    const typo = await run(['rules', 'show', 'placement/nw-terminal-in-shared-zon'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toBe(
      'unknown rule "placement/nw-terminal-in-shared-zon" (did you mean "placement/nw-terminal-in-shared-zone"? see `fleet-audit rules list`) (E_REF)\n',
    )
    const slug = await run(['rules', 'show', 'role-mismatch'])
    expect(slug.stderr).toMatch(/^unknown rule "role-mismatch" \(did you mean "reconcile\/role-mismatch" or /)
  })

  it('closestCommands compares each name with as many typed words as it has', () => {
    const names = ['audit', 'inventory', 'inventory:validate', 'inventory:diff', 'rules', 'rules:list']
    expect(closestCommands(['inventory', 'valdate', 'x'], names)).toEqual(['inventory:validate'])
    expect(closestCommands(['audti'], names)).toEqual(['audit'])
    expect(closestCommands(['qqqqqq'], names)).toEqual([])
  })
})
