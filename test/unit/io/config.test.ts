import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {loadConfig} from '../../../src/io/config.js'
import {ConfigError, formatProblem} from '../../../src/model/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'fa-config-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function file(name: string, text: string): string {
  const f = join(dir, name)
  writeFileSync(f, text)
  return f
}

describe('loadConfig', () => {
  it('reads FLEET_AUDIT_CONFIG', async () => {
    const f = file('ok.yaml', 'fail-on: medium\ninventory: inv/\nrules: [a, b]\n')
    expect(await loadConfig({FLEET_AUDIT_CONFIG: f})).toEqual({
      file: f,
      values: {'fail-on': 'medium', inventory: 'inv/', rules: ['a', 'b']},
    })
  })

  it('refuses an unknown key with its position', async () => {
    const f = file('unknown.yaml', 'fail-on: high\nfial-on: low\n')
    const error = await loadConfig({FLEET_AUDIT_CONFIG: f}).catch((e) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.problems.map(formatProblem)).toEqual([`${f}:2:1 fial-on: unknown key "fial-on" (E_SCHEMA)`])
  })

  it('refuses a bad value with its position', async () => {
    const f = file('bad.yaml', 'fail-on: sometimes\n')
    const error = await loadConfig({FLEET_AUDIT_CONFIG: f}).catch((e) => e)
    expect(error.problems.map(formatProblem)).toEqual([
      `${f}:1:10 fail-on: must be one of "critical", "high", "medium", "low", "info", "none" (E_SCHEMA)`,
    ])
  })

  it('refuses a format that no reporter offers', async () => {
    const f = file('format.yaml', 'format: xml\n')
    await expect(loadConfig({FLEET_AUDIT_CONFIG: f})).rejects.toThrow(ConfigError)
  })

  it('refuses a config file that is not YAML', async () => {
    const f = file('broken.yaml', 'fail-on: [high\n')
    await expect(loadConfig({FLEET_AUDIT_CONFIG: f})).rejects.toThrow(ConfigError)
  })

  it('refuses a named config file that does not exist', async () => {
    await expect(loadConfig({FLEET_AUDIT_CONFIG: join(dir, 'missing.yaml')})).rejects.toThrow(ConfigError)
  })
})
