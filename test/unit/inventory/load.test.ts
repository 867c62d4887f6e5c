import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {formatProblem, InventoryError} from '../../../src/model/errors.js'
import {loadInventory} from '../../../src/inventory/load.js'

/** Relative to the repository root (vitest's working folder), as a user would type it; expected texts use it too. */
const DIR = 'test/fixtures/inventories'

/** Every `invalid-<name>.yaml` (or folder `invalid-<name>/`) with its `invalid-<name>.expected`. */
const CASES = readdirSync(DIR)
  .filter((n) => n.startsWith('invalid-') && !n.endsWith('.expected'))
  .map((n) => ({name: n.replace(/\.yaml$/, ''), path: join(DIR, n)}))

async function problemsOf(path: string): Promise<string> {
  try {
    await loadInventory(path)
  } catch (error) {
    if (error instanceof InventoryError) return `${error.problems.map((p) => formatProblem(p)).join('\n')}\n`
    throw error
  }

  throw new Error(`${path} loaded without problems`)
}

describe('inventory fixtures', () => {
  it('has the expected set of invalid fixtures', () => {
    expect(CASES.map((c) => c.name).sort()).toEqual([
      'invalid-duplicate-key',
      'invalid-duplicate-terminal',
      'invalid-enum',
      'invalid-missing-key',
      'invalid-policy-twice',
      'invalid-several',
      'invalid-timezone',
      'invalid-unknown-key',
      'invalid-unknown-ref',
      'invalid-waiver-dates',
      'invalid-zone-other-site',
    ])
  })

  for (const c of CASES) {
    it(`${c.name} reports exactly the expected problems`, async () => {
      const expected = readFileSync(join(DIR, `${c.name}.expected`), 'utf8')
      expect(await problemsOf(c.path)).toBe(expected)
    })
  }

  it('reports every problem of one file at once', async () => {
    const text = await problemsOf(join(DIR, 'invalid-several.yaml'))
    expect(text.trim().split('\n')).toHaveLength(9)
  })

  it('names both places of a terminal repeated by a YAML alias (each entry keeps its own position)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-alias-'))
    try {
      const file = join(dir, 'inv.yaml')
      writeFileSync(
        file,
        [
          'companies:',
          '  - {id: nw, name: NW, side: nw}',
          'sites:',
          '  - {id: s1, name: S1, zones: [{id: z1, name: Z1, kind: office, access: [nw]}]}',
          'terminals:',
          '  - &t {id: T1, hostname: t1, site: s1, zone: z1, owner: nw, role: nw}',
          '  - *t',
          '',
        ].join('\n'),
      )
      expect(await problemsOf(file)).toContain(
        `${file}:7:5 duplicate terminal id "T1" (first declared at ${file}:6:8) (E_DUPLICATE)`,
      )
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('names both declarations of a duplicate terminal id', async () => {
    const text = await problemsOf(join(DIR, 'invalid-duplicate-terminal.yaml'))
    expect(text).toContain('invalid-duplicate-terminal.yaml:11:5 duplicate terminal id "T-1"')
    expect(text).toContain('first declared at test/fixtures/inventories/invalid-duplicate-terminal.yaml:9:5')
  })

  it('loads valid.yaml with defaults applied', async () => {
    const inv = await loadInventory(join(DIR, 'valid.yaml'))
    expect(inv.terminals.map((t) => t.id)).toEqual(['T-1', 'T-2'])
    const [t1, t2] = inv.terminals
    expect(t1.status).toBe('active')
    expect(t1.auth).toBe('device')
    expect(t1.macs).toEqual(['aa:bb:cc:dd:ee:01'])
    expect(t1.ssh).toEqual({user: 'audit', profile: 'linux', port: 2222})
    expect(t1.source).toEqual({file: join(DIR, 'valid.yaml'), line: 16, column: 5})
    expect(t1.fieldSources.zone).toEqual({file: join(DIR, 'valid.yaml'), line: 20, column: 11})
    expect(t2.status).toBe('planned')
    expect(inv.zones.map((z) => `${z.site}/${z.id}`)).toEqual(['s1/z-nw', 's1/z-shop'])
    expect(inv.policy).toEqual({freshness_days: 7, ack_days: 5, max_waiver_days: 30, timezone: 'Asia/Tokyo'})
    expect(inv.waivers.map((w) => w.id)).toEqual(['W-1'])
  })

  it('merges a folder of files (sorted, .yaml and .yml, non-YAML ignored) into one inventory', async () => {
    const inv = await loadInventory(join(DIR, 'valid-folder'))
    expect(inv.files).toEqual([
      join(DIR, 'valid-folder/fleet.yaml'),
      join(DIR, 'valid-folder/sites/s1.yaml'),
      join(DIR, 'valid-folder/sites/s2.yml'),
      join(DIR, 'valid-folder/waivers.yaml'),
    ])
    expect(inv.companies.map((c) => c.id)).toEqual(['grid', 'shop'])
    expect(inv.sites.map((s) => s.id)).toEqual(['s1', 's2'])
    expect(inv.terminals.map((t) => [t.id, t.source.file, t.ssh.port])).toEqual([
      ['T-1', join(DIR, 'valid-folder/sites/s1.yaml'), 2200],
      ['T-2', join(DIR, 'valid-folder/sites/s2.yml'), 22],
    ])
    // defaults from fleet.yaml apply to terminals declared in other files
    expect(inv.terminals[0].ssh.user).toBe('audit')
    expect(inv.policy.freshness_days).toBe(3)
    expect(inv.waivers[0].source.file).toBe(join(DIR, 'valid-folder/waivers.yaml'))
  })

  it('loads every inventory shipped in inventories/', async () => {
    const root = 'inventories'
    const names = readdirSync(root)
    expect(names.length).toBeGreaterThan(0)
    for (const name of names) {
      const inv = await loadInventory(join(root, name))
      expect(inv.terminals.length, name).toBeGreaterThan(0)
    }
  })

  it('reports a missing inventory path as an input error', async () => {
    await expect(loadInventory(join(DIR, 'nope'))).rejects.toThrow(InventoryError)
    await expect(loadInventory(join(DIR, 'nope'))).rejects.toThrow(/inventory not found/)
  })

  it('refuses duplicate ids of every kind across the files of a folder, naming both files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fa-dup-'))
    try {
      mkdirSync(join(dir, 'sites'))
      const company = '  - {id: grid, name: Grid, side: nw}'
      const person = '  - {id: p1, name: P, company: grid}'
      const site = '  - id: s1\n    name: S\n    zones:\n      - {id: z1, name: Z, kind: office, access: [grid]}'
      const terminal = '  - {id: T-1, hostname: t-1, site: s1, zone: z1, owner: grid, role: nw}'
      const waiver =
        '  - {id: W-1, rule: placement/nw-terminal-in-shared-zone, terminals: [T-1], reason: r, approver: p1, approved: "2026-11-01", expires: "2026-11-30"}'
      const text = `companies:\n${company}\npeople:\n${person}\nsites:\n${site}\nterminals:\n${terminal}\nwaivers:\n${waiver}\n`
      writeFileSync(join(dir, 'a.yaml'), text)
      writeFileSync(join(dir, 'sites', 'b.yaml'), text)
      const a = join(dir, 'a.yaml')
      const b = join(dir, 'sites', 'b.yaml')
      expect(await problemsOf(dir)).toBe(
        [
          `${b}:2:5 duplicate company id "grid" (first declared at ${a}:2:5) (E_DUPLICATE)`,
          `${b}:4:5 duplicate person id "p1" (first declared at ${a}:4:5) (E_DUPLICATE)`,
          `${b}:6:5 duplicate site id "s1" (first declared at ${a}:6:5) (E_DUPLICATE)`,
          `${b}:9:9 duplicate zone id "z1" (first declared at ${a}:9:9) (E_DUPLICATE)`,
          `${b}:11:5 duplicate terminal id "T-1" (first declared at ${a}:11:5) (E_DUPLICATE)`,
          `${b}:13:5 duplicate waiver id "W-1" (first declared at ${a}:13:5) (E_DUPLICATE)`,
          '',
        ].join('\n'),
      )
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
