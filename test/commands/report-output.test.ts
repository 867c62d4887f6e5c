/** With --output FILE the report goes to the file and the verdict still reaches the person at the terminal. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, run, tempDir} from './helpers.js'

const tmp = tempDir('fa-output-')
afterAll(tmp.remove)

describe.concurrent('--output FILE', () => {
  it('junit to a file: the summary line goes to stderr, stdout stays empty', async () => {
    const out = join(tmp.dir, 'audit.xml')
    const r = await run([
      'audit',
      EXAMPLE,
      '--facts',
      EXAMPLE_FACTS,
      '--now',
      EXAMPLE_NOW,
      '-f',
      'junit',
      '-o',
      out,
      '--fail-on',
      'critical',
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('13 findings (8 critical, 4 high), 1 waived; 8 failing (--fail-on critical)\n')
    expect(readFileSync(out, 'utf8')).toMatch(/^<\?xml/)
  })

  it('inventory validate -o in Japanese: the verdict in Japanese on stderr', async () => {
    const out = join(tmp.dir, 'inventory.sarif')
    const r = await run([
      'inventory',
      'validate',
      EXAMPLE,
      '--now',
      EXAMPLE_NOW,
      '-f',
      'sarif',
      '-o',
      out,
      '--lang',
      'ja',
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('指摘 7 件（重大 5、高 1）、免除 1 件。不合格 6 件（--fail-on high）\n')
  })

  it('without --output, stderr stays empty (the table already ends with the summary)', async () => {
    const r = await run(['inventory', 'validate', EXAMPLE, '--now', EXAMPLE_NOW, '-f', 'sarif'])
    expect(r.stderr).toBe('')
  })
})
