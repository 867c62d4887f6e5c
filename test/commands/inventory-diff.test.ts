/**
 * inventory diff: the plan of a change to an inventory, against a folder or a git ref, including the shallow CI
 * checkout where the base branch must be fetched first.
 */
import {execFileSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {EXAMPLE_NOW, ROOT, run} from './helpers.js'

let dir: string
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {cwd, stdio: 'pipe'}).toString()

/** The example with one of each kind of change. */
function change(inv: string): void {
  const cc = join(inv, 'sites', 'customer-center.yaml')
  writeFileSync(
    cc,
    readFileSync(cc, 'utf8')
      .replace(
        'zone: cc-training, owner: tohoku-nw, role: nw, serial: JP5C3T302',
        'zone: cc-nw-office, owner: tohoku-nw, role: nw, serial: JP5C3T302',
      )
      .replace(
        'zone: cc-retail-office, owner: tohoku-epco, role: retail, serial: JP5C3T330',
        'zone: cc-retail-office, owner: tohoku-epco, role: nw, serial: JP5C3T330',
      ),
  )
  const is = join(inv, 'sites', 'iwate-sanriku.yaml')
  writeFileSync(
    is,
    readFileSync(is, 'utf8')
      .replace(/^ {2}- \{id: IS-RT-103.*\n/m, '')
      .concat(
        '  - {id: IS-RT-105, hostname: is-rt-105, site: iwate-sanriku, zone: is-retail-office, owner: tohoku-epco, role: retail}\n',
      ),
  )
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fa-diff-'))
  cpSync(join(ROOT, 'inventories', 'tohoku-example'), join(dir, 'base'), {recursive: true})
  cpSync(join(ROOT, 'inventories', 'tohoku-example'), join(dir, 'head'), {recursive: true})
  change(join(dir, 'head'))
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('inventory diff against a folder', () => {
  it('prints the plan: +, -, ~ with before → after, then validates the new version', async () => {
    const r = await run([
      'inventory',
      'diff',
      '--base',
      join(dir, 'base'),
      '-i',
      join(dir, 'head'),
      '--now',
      EXAMPLE_NOW,
    ])
    expect(r.code).toBe(1)
    const plan = r.stdout.split('\n').filter((l) => /^[+~-] /.test(l))
    expect(plan).toEqual([
      '~ CC-NW-302  customer-center/cc-nw-office  [move]  zone: cc-training → cc-nw-office',
      '~ CC-RT-330  customer-center/cc-retail-office  [reconfigure]  role: retail → nw',
      '- IS-RT-103  iwate-sanriku/is-retail-office  [remove]',
      '+ IS-RT-105  iwate-sanriku/is-retail-office  [install]  site=iwate-sanriku; zone=is-retail-office; role=retail; owner=tohoku-epco; status=active',
    ])
    expect(r.stdout).toContain('Plan: 1 to add, 1 to remove, 2 to change.')
    // What the change breaks: the re-roled terminal now stands NW where retail people are.
    expect(r.stdout).toMatch(/CC-RT-330 .*placement\/nw-terminal-in-shared-zone/)
  })

  it('--json returns the changes and the validation', async () => {
    const r = await run([
      'inventory',
      'diff',
      '--base',
      join(dir, 'base'),
      '-i',
      join(dir, 'head'),
      '--now',
      EXAMPLE_NOW,
      '--json',
    ])
    const result = JSON.parse(r.stdout)
    expect(result.summary).toEqual({added: 1, removed: 1, changed: 2})
    expect(result.changes.map((c: {terminal: string; kind: string}) => `${c.terminal}:${c.kind}`)).toEqual([
      'CC-NW-302:move',
      'CC-RT-330:reconfigure',
      'IS-RT-103:remove',
      'IS-RT-105:install',
    ])
    expect(result.validation.kind).toBe('validate')
  })

  it('lists findings the base already had apart from those the change introduces', async () => {
    const r = await run([
      'inventory',
      'diff',
      join(dir, 'head'),
      '--base',
      join(dir, 'base'),
      '--now',
      EXAMPLE_NOW,
      '--json',
    ])
    const result = JSON.parse(r.stdout)
    const key = (f: {terminal: string; rule: string}) => `${f.terminal} ${f.rule}`
    expect(result.introduced.map(key)).toEqual([
      'CC-RT-330 placement/nw-terminal-in-shared-zone',
      'CC-RT-330 placement/retail-owner-nw-role',
    ])
    expect(result.preexisting.map(key)).toContain('HC-NW-001 placement/nw-terminal-in-shared-zone')
    // CC-NW-302 moved out of the training room: its finding is resolved, neither introduced nor pre-existing.
    expect([...result.introduced, ...result.preexisting].map(key)).not.toContain(
      'CC-NW-302 placement/nw-terminal-in-shared-zone',
    )
    expect(result.verdict.findings).toHaveLength(result.validation.findings.length) // without --new-only every finding counts
  })

  it('--new-only fails only on what the change introduces; a fix that leaves old findings passes', async () => {
    const fix = join(dir, 'fix')
    cpSync(join(dir, 'base'), fix, {recursive: true})
    const cc = join(fix, 'sites', 'customer-center.yaml')
    writeFileSync(
      cc,
      readFileSync(cc, 'utf8').replace(
        'zone: cc-training, owner: tohoku-nw, role: nw, serial: JP5C3T302',
        'zone: cc-nw-office, owner: tohoku-nw, role: nw, serial: JP5C3T302',
      ),
    )
    const all = await run(['inventory', 'diff', fix, '--base', join(dir, 'base'), '--now', EXAMPLE_NOW])
    expect(all.code).toBe(1) // default: every finding of the new version counts (fail closed)
    expect(all.stdout).toMatch(/^Already on the base: 6 findings not introduced by this change:$/m)
    expect(all.stdout).toContain('Introduced by this change:\nNo findings.\n')
    expect(all.stdout.trimEnd().split('\n').at(-1)).toBe(
      '6 findings (4 critical, 1 high), 1 waived; 5 failing (--fail-on high)',
    )
    const newOnly = await run([
      'inventory',
      'diff',
      fix,
      '--base',
      join(dir, 'base'),
      '--now',
      EXAMPLE_NOW,
      '--new-only',
    ])
    expect(newOnly.code).toBe(0)
    expect(newOnly.stdout).toMatch(
      /^Already on the base: 6 findings not introduced by this change \(not counted: --new-only\):$/m,
    )
    expect(newOnly.stdout.trimEnd().split('\n').at(-1)).toBe('0 findings, 0 waived; 0 failing (--fail-on high)')
    const introducing = await run([
      'inventory',
      'diff',
      join(dir, 'head'),
      '--base',
      join(dir, 'base'),
      '--now',
      EXAMPLE_NOW,
      '--new-only',
      '--format',
      'sarif',
    ])
    expect(introducing.code).toBe(1)
    expect(JSON.parse(introducing.stdout).runs[0].results.map((x: {ruleId: string}) => x.ruleId)).toEqual([
      'placement/nw-terminal-in-shared-zone',
      'placement/retail-owner-nw-role',
    ])
  })

  it('shows a probe redirected to another file, which would read whatever that file says', async () => {
    const a = join(dir, 'p-a.yaml')
    const inv = `companies: [{id: nw, name: NW, side: nw}]
sites: [{id: s, name: S, zones: [{id: z, name: Z, kind: office, access: [nw]}]}]
profiles: [{name: v2, base: linux, paths: {conf: /etc/eigyo/v2.conf}}]
terminals: [{id: T1, hostname: t1, site: s, zone: z, owner: nw, role: nw, ssh: {profile: v2}}]
`
    writeFileSync(a, inv)
    writeFileSync(join(dir, 'p-b.yaml'), inv.replace('/etc/eigyo/v2.conf', '/home/x/decoy.conf'))
    const r = await run(['inventory', 'diff', '--base', a, '-i', join(dir, 'p-b.yaml'), '--now', EXAMPLE_NOW])
    expect(r.stdout).toContain(
      '~ T1  s/z  [reconfigure]  profile v2 paths: {"conf":"/etc/eigyo/v2.conf"} → {"conf":"/home/x/decoy.conf"}',
    )
  })
})

describe('inventory diff against a git ref', () => {
  let origin: string
  beforeAll(() => {
    origin = join(dir, 'origin')
    cpSync(join(dir, 'base'), join(origin, 'inventory'), {recursive: true})
    git(origin, 'init', '-q', '-b', 'main')
    git(origin, 'add', '.')
    git(origin, 'commit', '-qm', 'base')
    git(origin, 'checkout', '-qb', 'change')
    change(join(origin, 'inventory'))
    git(origin, 'commit', '-qam', 'change')
  })

  it('compares with HEAD~1 in a full checkout', async () => {
    const r = await run(['inventory', 'diff', '--base', 'HEAD~1', '-i', 'inventory', '--now', EXAMPLE_NOW, '--json'], {
      cwd: origin,
    })
    expect(JSON.parse(r.stdout).summary).toEqual({added: 1, removed: 1, changed: 2})
  })

  it('resolves the ref in the repository that holds the inventory, run from any folder', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'fa-elsewhere-'))
    try {
      // From a folder outside any repository, and from another repository (this project's own, whose HEAD~1 differs).
      const outside = await run(
        ['inventory', 'diff', join(origin, 'inventory'), '--base', 'HEAD~1', '--now', EXAMPLE_NOW, '--json'],
        {cwd: elsewhere},
      )
      const otherRepo = await run(
        ['inventory', 'diff', join(origin, 'inventory'), '--base', 'HEAD~1', '--now', EXAMPLE_NOW, '--json'],
        {cwd: ROOT},
      )
      const sub = await run(['inventory', 'diff', '..', '--base', 'main', '--now', EXAMPLE_NOW, '--json'], {
        cwd: join(origin, 'inventory', 'sites'),
      })
      for (const r of [outside, otherRepo]) {
        expect(r.stderr).toBe('')
        expect(JSON.parse(r.stdout).summary).toEqual({added: 1, removed: 1, changed: 2})
      }

      // From a folder inside the repository, the inventory given relative to it.
      expect(sub.stderr).toBe('')
      expect(JSON.parse(sub.stdout)).toMatchObject({base: 'main:..', summary: {added: 1, removed: 1, changed: 2}})
    } finally {
      rmSync(elsewhere, {recursive: true, force: true})
    }
  })

  it('a ref with an inventory outside any repository is exit 2 saying so', async () => {
    const r = await run(['inventory', 'diff', join(dir, 'head'), '--base', 'HEAD~1', '--now', EXAMPLE_NOW])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      `--base: "HEAD~1" is not a file or folder, and the inventory "${join(dir, 'head')}" is not in a git repository (E_BASE_REF)\n`,
    )
  })

  it('in a shallow CI checkout, says to fetch a missing base ref (exit 2), then works once fetched', async () => {
    const ci = join(dir, 'ci')
    execFileSync('git', ['clone', '-q', '--depth=1', '--single-branch', '--branch', 'change', `file://${origin}`, ci])
    const missing = await run(['inventory', 'diff', '--base', 'origin/main', '-i', 'inventory', '--now', EXAMPLE_NOW], {
      cwd: ci,
    })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(
      `--base: "origin/main" is neither a file, a folder nor a git ref in the repository ${realpathSync(ci)}`,
    )
    expect(missing.stderr).toContain(`git -C ${realpathSync(ci)} fetch --depth=1 origin main`)
    git(ci, 'fetch', '-q', '--depth=1', 'origin', 'main:refs/remotes/origin/main')
    const r = await run(
      ['inventory', 'diff', '--base', 'origin/main', '-i', 'inventory', '--now', EXAMPLE_NOW, '--json'],
      {cwd: ci},
    )
    expect(JSON.parse(r.stdout).summary).toEqual({added: 1, removed: 1, changed: 2})
  })
})
