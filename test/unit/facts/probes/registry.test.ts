/**
 * The probe registry is the only place that lists probe profiles: the inventory's reference checks, the `base:`
 * values a `profiles:` entry may adapt and the paths it may move all come from it (issue 10 item 6).
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {builtinProfiles, PROBE_CATALOG, profileFromData} from '../../../../src/facts/probes/index.js'
import {loadDeclared} from '../../../../src/app/declared.js'
import {formatProblem, InventoryError} from '../../../../src/model/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'fa-probes-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** The valid fixture with one terminal's profile and a `profiles:` block replaced. */
function inventoryWith(profileLine: string, profilesBlock: string): string {
  const base = readFileSync('test/fixtures/inventories/valid.yaml', 'utf8')
  const file = join(dir, `inv-${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(
    file,
    `${base.trimEnd()}\n${profilesBlock}\n`.replace(/^( +)ssh: \{/m, `$1ssh: {profile: ${profileLine}, `),
  )
  return file
}

async function problems(file: string): Promise<string[]> {
  try {
    await loadDeclared(file)
    return []
  } catch (error) {
    if (error instanceof InventoryError) return error.problems.map((p) => formatProblem(p))
    throw error
  }
}

describe('probe registry', () => {
  it('derives the built-in names and the adaptable bases from its entries', () => {
    expect(Object.keys(builtinProfiles)).toEqual(['linux', 'windows'])
    expect(PROBE_CATALOG.builtin).toEqual(['linux', 'windows'])
    expect(PROBE_CATALOG.bases).toEqual({linux: ['conf', 'machineId', 'osRelease']})
  })

  it('an adapted profile keeps the base parser and moves only the named file', () => {
    const p = profileFromData({name: 'eigyo-v3', base: 'linux', paths: {conf: '/opt/eigyo/v3.conf'}})
    expect('command' in p && p.command).toContain("'/opt/eigyo/v3.conf'")
    expect('command' in p && p.command).toContain("'/etc/machine-id'")
  })

  it('refuses a base that is not adaptable and a path the base does not read', () => {
    expect(profileFromData({name: 'w2', base: 'windows'})).toEqual({
      problems: ['profile w2: unknown base "windows" (known: linux)'],
    })
    expect(profileFromData({name: 'l2', base: 'linux', paths: {registry: '/x'}})).toEqual({
      problems: ['profile l2: paths.registry is not a path of base linux (known: conf, machineId, osRelease)'],
    })
  })

  it('inventory validation checks profile names, bases and path names against the registry, at their position', async () => {
    const file = inventoryWith(
      'windwos',
      'profiles:\n  - {name: v2, base: windows}\n  - {name: v3, base: linux, paths: {registry: /etc/x}}',
    )
    const found = await problems(file)
    expect(found.join('\n')).toMatch(/unknown probe profile "windwos".*windows/)
    expect(found.some((l) => /:\d+:\d+ .*profile "v2": unknown base "windows" \(known: linux\)/.test(l))).toBe(true)
    expect(found.some((l) => /:\d+:\d+ .*profile "v3": paths\.registry is not a path of base linux/.test(l))).toBe(true)
  })

  it('a built-in name and an adapted profile are accepted', async () => {
    expect(
      await problems(
        inventoryWith('windows', 'profiles:\n  - {name: v2, base: linux, paths: {conf: /etc/eigyo/v2.conf}}'),
      ),
    ).toEqual([])
  })
})
