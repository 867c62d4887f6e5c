import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {PROBLEM_JA} from '../../commands/_lib/problem-ja.js'
import {ROOT, run, AUDIT_EXAMPLE} from './helpers.js'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : []
  })
}

describe('Japanese for people, English keys for machines', () => {
  it('every problem code the code can raise has a Japanese explanation', () => {
    const codes = new Set<string>()
    for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'commands'))]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/'(E_[A-Z_]+)'/g)) codes.add(m[1])
    }

    expect(codes.size).toBeGreaterThan(20)
    expect([...codes].filter((c) => !PROBLEM_JA[c])).toEqual([])
  })

  it('--lang ja explains each problem line in Japanese; --lang en does not', async () => {
    const ja = await run(['inventory', 'validate', '-i', 'test/fixtures/inventories/invalid-enum.yaml', '--lang', 'ja'])
    expect(ja.code).toBe(2)
    expect(ja.stderr).toContain('(E_SCHEMA) — スキーマ違反')
    const en = await run(['inventory', 'validate', '-i', 'test/fixtures/inventories/invalid-enum.yaml', '--lang=en'])
    expect(en.stderr).not.toMatch(/[\u3040-\u30ff]/)
  })

  it('LANG=ja_JP.UTF-8 makes Japanese the default for findings, while JSON keeps English keys and rule ids', async () => {
    const table = await run([...AUDIT_EXAMPLE], {
      env: {LANG: 'ja_JP.UTF-8'},
    })
    expect(table.stdout).toContain('NW設定の端末が 共用カウンター')
    expect(table.stdout).toContain('重大度')
    const json = await run([...AUDIT_EXAMPLE, '--format', 'json'], {env: {LANG: 'ja_JP.UTF-8'}})
    const result = JSON.parse(json.stdout)
    expect(Object.keys(result.findings[0])).toContain('severity')
    expect(result.findings.map((f: {rule: string}) => f.rule)).toContain('placement/nw-terminal-in-shared-zone')
  })
})
