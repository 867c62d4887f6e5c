import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {factsFileName, writeFactsDir} from '../../../src/collect/index.js'
import {escapeRaw} from '../../../src/io/text.js'
import type {Facts} from '../../../src/model/types.js'
import {factsSchemaErrors, removeTempDirs, tempDir} from './helpers.js'

describe('writeFactsDir', () => {
  it('writes one <id>.json per terminal, atomically, leaving no temp files', async () => {
    const dir = join(tempDir('fa-facts-'), 'nested')
    const facts: Facts[] = [
      {
        terminal: 'T-1',
        collected_at: '2026-11-27T00:00:00.000Z',
        outcome: 'refused',
        error: {reason: 'connection refused'},
      },
      {
        terminal: 'T-2',
        collected_at: '2026-11-27T00:00:00.000Z',
        outcome: 'output-invalid',
        error: {reason: 'control character', raw: escapeRaw('role=\u001b[31mnw')},
      },
    ]
    await writeFactsDir(dir, facts)
    await writeFactsDir(dir, facts)
    expect(readdirSync(dir).sort()).toEqual(['T-1.json', 'T-2.json'])
    const back = JSON.parse(readFileSync(join(dir, 'T-2.json'), 'utf8')) as Facts
    expect(back.error?.raw).toBe('role=\\u001b[31mnw')
    expect(readFileSync(join(dir, 'T-2.json'), 'utf8')).not.toContain('\u001b')
    for (const f of facts) expect(factsSchemaErrors(f)).toBe('')
  })

  it('refuses ids that could leave the folder', () => {
    expect(() => factsFileName('../etc/passwd')).toThrow(/cannot name a facts file/)
    expect(() => factsFileName('.hidden')).toThrow()
  })
})

describe('escapeRaw', () => {
  it.each([
    ['plain text 端末', 'plain text 端末'],
    ['quote " and backslash \\', 'quote \\" and backslash \\\\'],
    ['\u001b[2J\u0007\u007f\u0085\u2028\u202e', '\\u001b[2J\\u0007\\u007f\\u0085\\u2028\\u202e'],
  ])('%j', (input, out) => {
    expect(escapeRaw(input)).toBe(out)
    expect(escapeRaw(Buffer.from(input))).toBe(out)
  })

  it('shows invalid UTF-8 bytes as \\xNN, including overlongs and surrogates', () => {
    expect(escapeRaw(Buffer.from([0x61, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82]))).toBe(
      'a\\xc0\\xaf\\xed\\xa0\\x80\\xe2\\x82',
    )
  })

  it('truncates long values and says so', () => {
    expect(escapeRaw('x'.repeat(5000), 10)).toBe('xxxxxxxxxx…[truncated, 5000 chars in all]')
  })
})

afterAll(removeTempDirs)
