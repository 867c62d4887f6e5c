import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {InputError} from '../../../src/model/errors.js'
import {loadFacts, parseFacts} from '../../../src/facts/load.js'
import {allOk, audit, baseInventory, cleanup, failedFacts, hits, okFacts} from '../scenario.js'

afterAll(cleanup)

describe('parseFacts', () => {
  const inv = baseInventory()
  it('accepts a document that matches the schema and its file name', () => {
    const r = parseFacts('T-NW', 'T-NW.json', JSON.stringify(okFacts(inv, 'T-NW')))
    expect('facts' in r && r.facts.client?.role).toBe('nw')
  })

  it.each([
    ['invalid JSON', '{"terminal": "T-NW",', /^invalid JSON: /],
    [
      'a schema violation',
      JSON.stringify(okFacts(inv, 'T-NW', {outcome: 'fine'})),
      /^does not match the facts schema: outcome /,
    ],
    [
      'an ok document without client',
      JSON.stringify({...okFacts(inv, 'T-NW'), client: undefined}),
      /^does not match the facts schema: /,
    ],
    [
      'a failed document without error',
      JSON.stringify({terminal: 'T-NW', collected_at: '2026-11-26T10:00:00+09:00', outcome: 'timeout'}),
      /facts schema/,
    ],
    [
      'collected_at without offset',
      JSON.stringify(okFacts(inv, 'T-NW', {collected_at: '2026-11-26T10:00:00'})),
      /collected_at/,
    ],
    ['an unknown key', JSON.stringify(okFacts(inv, 'T-NW', {extra: 1})), /must NOT have additional properties/],
    [
      'an upper-case MAC',
      JSON.stringify(okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, macs: ['AA:00:00:00:00:01']}})),
      /client\.macs\[0\]/,
    ],
    [
      'another terminal than its name',
      JSON.stringify(okFacts(inv, 'T-RT')),
      /^names terminal "T-RT" but the file is T-NW\.json$/,
    ],
  ])('refuses %s', (_, text, message) => {
    const r = parseFacts('T-NW', 'T-NW.json', text)
    expect('problem' in r).toBe(true)
    if ('problem' in r) expect(r.problem).toMatch(message)
  })
})

const dir = mkdtempSync(join(tmpdir(), 'fa-facts-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('loadFacts', () => {
  it('throws an input error for a missing folder', async () => {
    await expect(loadFacts(join(dir, 'missing'))).rejects.toThrow(InputError)
    await expect(loadFacts(join(dir, 'missing'))).rejects.toMatchObject({
      problems: [{code: 'E_FACTS_DIR', file: join(dir, 'missing')}],
    })
  })

  it('throws an input error when given a file instead of a folder', async () => {
    const file = join(dir, 'file.json')
    writeFileSync(file, '{}')
    await expect(loadFacts(file)).rejects.toMatchObject({problems: [{code: 'E_FACTS_DIR'}]})
  })

  it('refuses a facts file over 2 MiB without parsing it', async () => {
    const d = mkdtempSync(join(dir, 'big-'))
    writeFileSync(join(d, 'T-NW.json'), `{"terminal": "T-NW", "pad": "${'x'.repeat(2 * 1024 * 1024)}"}`)
    const set = await loadFacts(d)
    expect(set.problems.get('T-NW')?.message).toMatch(/^file is \d+ bytes, over the limit of 2097152$/)
  })

  it('keeps good documents and problems apart, ignoring files that are not .json', async () => {
    const inv = baseInventory()
    const d = mkdtempSync(join(dir, 'mixed-'))
    writeFileSync(join(d, 'T-NW.json'), JSON.stringify(okFacts(inv, 'T-NW')))
    writeFileSync(join(d, 'T-RT.json'), '\u0000\u0001binary')
    writeFileSync(join(d, 'notes.txt'), 'ignored')
    const set = await loadFacts(d)
    expect([...set.facts.keys()]).toEqual(['T-NW'])
    expect(set.facts.get('T-NW')!.file).toBe(join(d, 'T-NW.json'))
    expect([...set.problems.values()]).toEqual([
      {terminal: 'T-RT', file: join(d, 'T-RT.json'), message: 'binary content (NUL byte), not a text file'},
    ])
  })
})

describe('bad facts make the terminal unverified, never exit 2', () => {
  const inv = baseInventory()
  const cases: [string, string | Record<string, unknown> | undefined, RegExp][] = [
    ['a schema-invalid document', {...okFacts(inv, 'T-RT'), outcome: 'maybe'}, /does not match the facts schema/],
    ['invalid JSON', '{not json', /invalid JSON/],
    ['a document naming another terminal', okFacts(inv, 'T-NW'), /names terminal "T-NW" but the file is T-RT\.json/],
    ['invalid UTF-8', '{"terminal": "T-RT\udcff"}', /.*/],
    ['a missing document', undefined, /no facts were collected for this terminal/],
  ]
  for (const [name, doc, reason] of cases) {
    it(`${name} raises collect/unverified for T-RT only`, async () => {
      const facts: Record<string, unknown> = {'T-NW': okFacts(inv, 'T-NW')}
      if (doc !== undefined) facts['T-RT'] = doc
      const result = await audit(inv, {facts: facts as never})
      expect(hits(result)).toEqual(['T-RT collect/unverified'])
      const f = result.findings[0]
      expect(f.severity).toBe('high')
      expect(f.message.en).toMatch(reason)
      expect(f.location.line).toBeGreaterThan(0)
    })
  }

  it('an invalid UTF-8 facts file names the file and the problem', async () => {
    const {writeScenario} = await import('../scenario.js')
    const {runAudit} = await import('../../../src/app/audit.js')
    const {parseNow} = await import('../../../src/io/time.js')
    const s = await writeScenario(inv, {facts: {'T-NW': okFacts(inv, 'T-NW')}})
    writeFileSync(join(s.facts!, 'T-RT.json'), Buffer.from([0x7b, 0xff, 0x7d]))
    const result = await runAudit(
      {inventory: s.inventory, facts: s.facts, failOn: 'high'},
      {now: parseNow('2026-11-27')},
    )
    expect(hits(result)).toEqual(['T-RT collect/unverified'])
    expect(result.findings[0].message.en).toBe(`not verified: invalid: ${join(s.facts!, 'T-RT.json')}: not valid UTF-8`)
    expect(result.facts).toEqual({dir: s.facts, documents: 1, invalid: 1})
  })

  for (const outcome of ['refused', 'timeout', 'auth', 'probe-failed', 'output-invalid']) {
    it(`outcome ${outcome} raises collect/unverified`, async () => {
      const result = await audit(inv, {facts: {'T-NW': okFacts(inv, 'T-NW'), 'T-RT': failedFacts('T-RT', outcome)}})
      expect(hits(result)).toEqual(['T-RT collect/unverified'])
      expect(result.findings[0].message.en).toBe(`not verified: ${outcome}: collection failed: ${outcome}`)
      expect(result.findings[0].actual).toBe(outcome)
    })
  }

  it('an unreadable facts file makes its terminal unverified', async () => {
    if (process.getuid?.() === 0) return // root reads anything
    const {writeScenario} = await import('../scenario.js')
    const s = await writeScenario(inv, {facts: allOk(inv)})
    chmodSync(join(s.facts!, 'T-RT.json'), 0o000)
    const {runAudit} = await import('../../../src/app/audit.js')
    const result = await runAudit(
      {inventory: s.inventory, facts: s.facts, failOn: 'high'},
      {now: new Date('2026-11-27T03:00:00Z')},
    )
    expect(hits(result)).toEqual(['T-RT collect/unverified'])
  })

  it('a nonexistent facts folder is an input error (exit 2)', async () => {
    const {writeScenario} = await import('../scenario.js')
    const {runAudit} = await import('../../../src/app/audit.js')
    const s = await writeScenario(inv)
    await expect(
      runAudit({inventory: s.inventory, facts: join(s.dir, 'nope'), failOn: 'high'}, {now: new Date()}),
    ).rejects.toThrow(InputError)
  })
})

describe('facts for terminals that are not declared, or old', () => {
  const inv = baseInventory()
  it('facts for an undeclared terminal raise collect/undeclared-terminal at the facts file', async () => {
    const ghost = {
      ...okFacts(inv, 'T-NW'),
      terminal: 'GHOST-1',
      client: {...okFacts(inv, 'T-NW').client, terminal_id: 'GHOST-1'},
    }
    const result = await audit(inv, {facts: {...allOk(inv), 'GHOST-1': ghost}})
    expect(hits(result)).toEqual(['GHOST-1 collect/undeclared-terminal'])
    const f = result.findings[0]
    expect(f.location).toEqual({file: expect.stringMatching(/facts\/GHOST-1\.json$/), line: 1, column: 1})
    expect(f.message.en).toBe(
      'facts were collected for terminal GHOST-1, which the inventory does not declare; its client says role=nw',
    )
    expect(f.site).toBeUndefined()
  })

  it('an unreadable document for an undeclared terminal is not silently dropped (fail closed)', async () => {
    const result = await audit(inv, {facts: {...allOk(inv), 'GHOST-2': '{"terminal": "GHOST-2", broken'}})
    expect(result.facts?.invalid).toBe(1)
    expect(hits(result)).toEqual(['GHOST-2 collect/undeclared-terminal'])
  })

  it.each([
    ['2026-11-19T10:00:00+09:00', ['T-RT collect/stale-facts']], // 8 days before 2026-11-27 (Tokyo)
    ['2026-11-20T10:00:00+09:00', []], // 7 days: inside the window
    ['2026-11-20T14:59:59Z', []], // 23:59:59 on the 20th in Tokyo
    ['2026-11-19T15:00:00Z', []], // 00:00 on the 20th in Tokyo, although the 19th in UTC
    ['2026-11-19T14:59:59Z', ['T-RT collect/stale-facts']], // 23:59:59 on the 19th in Tokyo
  ])('facts collected %s -> %j at 2026-11-27', async (collected, want) => {
    const result = await audit(inv, {
      facts: {...allOk(inv), 'T-RT': okFacts(inv, 'T-RT', {collected_at: collected})},
      now: '2026-11-27',
    })
    expect(hits(result)).toEqual(want)
  })

  it('facts dated after today (a wrong clock or a forged document) are not fresh forever: the terminal is flagged', async () => {
    const result = await audit(inv, {
      facts: {...allOk(inv), 'T-RT': okFacts(inv, 'T-RT', {collected_at: '2027-06-01T10:00:00+09:00'})},
      now: '2026-11-27',
    })
    expect(hits(result).filter((h) => h.startsWith('T-RT '))).not.toEqual([])
  })

  it('stale facts say how old they are', async () => {
    const result = await audit(inv, {
      facts: {...allOk(inv), 'T-RT': okFacts(inv, 'T-RT', {collected_at: '2026-11-01T10:00:00+09:00'})},
    })
    expect(result.findings[0]).toMatchObject({
      rule: 'collect/stale-facts',
      expected: '<= 7 days',
      actual: '26 days',
      message: {en: 'facts are 26 days old (collected 2026-11-01T10:00:00+09:00); the policy allows 7'},
    })
  })
})
