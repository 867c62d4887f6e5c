/** audit --facts honours --only, --site and --zone as collect does; a wrong one is exit 2, never silently ignored. */
import {describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, run} from './helpers.js'

const AUDIT = ['audit', EXAMPLE, '--facts', EXAMPLE_FACTS, '--now', EXAMPLE_NOW]
const key = (f: {terminal: string; rule: string}) => `${f.terminal} ${f.rule}`

describe.concurrent('audit --facts with a selection', () => {
  it('--site reports the findings of that site only, with the summary recounted', async () => {
    const r = await run([...AUDIT, '--site', 'hachinohe', '--format', 'json'])
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    expect(result.findings.map(key)).toEqual([
      'HC-NW-001 placement/nw-terminal-in-shared-zone',
      'HC-NW-002 placement/nw-terminal-in-shared-zone',
    ])
    expect(result.summary).toMatchObject({total: 2, failing: 2})
    expect(new Set(result.terminals.map((t: {site: string}) => t.site))).toEqual(new Set(['hachinohe']))
  })

  it('--zone and --only narrow the same way (comma-separated lists)', async () => {
    const [zone, only] = await Promise.all([
      run([...AUDIT, '--zone', 'hc-counter,cc-training', '--format', 'json']),
      run([...AUDIT, '--only', 'IS-RT-101', '--format', 'json']),
    ])
    expect(JSON.parse(zone.stdout).findings.map((f: {terminal: string}) => f.terminal)).toEqual([
      'CC-NW-301',
      'CC-NW-302',
      'HC-NW-001',
      'HC-NW-002',
    ])
    expect(JSON.parse(only.stdout).findings.map(key)).toEqual([
      'IS-RT-101 reconcile/nw-setting-reachable-by-retail',
      'IS-RT-101 reconcile/role-mismatch',
    ])
  })

  it('a selection with nothing to report passes (exit 0) only when its terminals are clean', async () => {
    const r = await run([...AUDIT, '--only', 'HC-RT-020'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('0 findings, 0 waived; 0 failing (--fail-on high)')
  })

  it('an unknown id, site or zone is exit 2, each named, nothing on stdout', async () => {
    const r = await run([...AUDIT, '--only', 'HC-NW-001,XX-1', '--site', 'hachinoh', '--zone', 'nowhere'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      '--only: unknown terminal "XX-1" (E_REF)',
      '--site: unknown site "hachinoh" (did you mean "hachinohe"?) (E_REF)',
      '--zone: unknown zone "nowhere" (E_REF)',
    ])
  })

  it('a selection that matches no terminal is exit 2', async () => {
    const r = await run([...AUDIT, '--site', 'hachinohe', '--zone', 'is-retail-office'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('the selection matches no terminal')
  })

  it('collection-only flags with --facts are exit 2 rather than silently ignored', async () => {
    const r = await run([...AUDIT, '--shard', '1/2', '--include-removed'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      '--shard applies to collection: use it with --live, not --facts (E_FLAG)\n--include-removed applies to collection: use it with --live, not --facts (E_FLAG)\n',
    )
  })
})
