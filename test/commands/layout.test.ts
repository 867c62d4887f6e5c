/**
 * The architecture as a test (STYLE.md items 1 and 2): commands import the core only through src/index.js, and
 * the core never prints or exits. A lint rule would say the same; a test cannot be switched off by a config file.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ROOT} from './helpers.js'

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1])

describe('layout', () => {
  it('commands/ import the core only from src/index.js', () => {
    const bad = files(join(ROOT, 'commands')).flatMap((f) =>
      importsOf(f)
        .filter((i) => i.includes('/src/') && !i.endsWith('/src/index.js'))
        .map((i) => `${relative(ROOT, f)} imports ${i}`),
    )
    expect(bad).toEqual([])
  })

  it('src/ never prints, exits or reads the clock behind the caller', () => {
    const bad = files(join(ROOT, 'src')).flatMap((f) => {
      const text = readFileSync(f, 'utf8')
      return [/console\.(log|error|warn|info)\(/, /process\.exit\(/, /process\.(stdout|stderr)\.write/]
        .filter((re) => re.test(text))
        .map((re) => `${relative(ROOT, f)} matches ${re}`)
    })
    expect(bad).toEqual([])
  })

  it('src/ does not import from commands/ (data flows one way)', () => {
    const bad = files(join(ROOT, 'src')).flatMap((f) => importsOf(f).filter((i) => i.includes('commands/')).map((i) => `${relative(ROOT, f)} imports ${i}`))
    expect(bad).toEqual([])
  })
})
