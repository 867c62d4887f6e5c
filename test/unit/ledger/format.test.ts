import canonicalizeModule from 'canonicalize'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {canonicalJson, parseHandoff} from '../../../src/ledger/index.js'
import {renderHandoff, type HandoffContent} from '../../../src/ledger/handoff-format.js'

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string

describe('canonicalJson', () => {
  it.each([
    [{b: 1, a: [true, null, 'x'], c: {z: 'é', y: '\u2028', '\u00e9': 1, A: 2}}],
    [{numbers: [0, -0, 1e21, 1e-7, 123.456, 2 ** 53, -1.5]}],
    [{s: 'quote " backslash \\ tab \t nl \n ctrl \u0001 emoji 😀 lone \ud800'}],
    [{'😀': 1, '\ufb33': 2, a: 3, '\u0080': 4}],
    [{skip: undefined, keep: null, nested: [{x: undefined}]}],
    [[]],
    ['plain'],
  ])('is byte-identical to the canonicalize package (RFC 8785): %j', (value) => {
    expect(canonicalJson(value)).toBe(canonicalize(value))
  })

  it('refuses values without a JSON form', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow()
    expect(() => canonicalJson(undefined)).toThrow()
  })
})

const content: HandoffContent = {
  fleet_audit_handoff: 2,
  type: 'events',
  issuer: 'retail',
  recipient: 'nw',
  created_at: '2026-11-27T03:00:00.000Z',
  first_seq: 1,
  last_seq: 1,
  count: 1,
  prev_hash: null,
  last_hash: '0a'.repeat(32),
  heads: [
    {
      signer: 'retail',
      chain: 'events',
      company: 'retail',
      about: null,
      seq: 1,
      hash: '0a'.repeat(32),
      signed_at: '2026-11-27T03:00:00.000Z',
      key: 'SHA256:' + 'A'.repeat(43),
      signature: 'B'.repeat(86) + '==',
    },
  ],
  events: [
    {
      issuer: 'retail',
      seq: 1,
      kind: 'install',
      terminal: 'T-001',
      site: 'sendai',
      zone: 'true', // a string YAML would read as a boolean if unquoted
      from_site: null,
      from_zone: null,
      role: 'retail',
      owner: 'retail',
      host_key: 'SHA256:abc+/def',
      serial: '0123',
      macs: ['02:00:00:00:00:01', '02:00:00:00:00:02'],
      actor: 'rt-tanaka',
      approver: 'rt-ito',
      delegation: null,
      occurred_at: '2026-11-27T10:00+09:00',
      recorded_at: '2026-11-27T03:00:00.000Z',
      note: '窓口の端末\nline two: "quoted" # not a comment',
      prev_hash: null,
      hash: 'ab'.repeat(32),
    },
  ],
}
const signature = {algorithm: 'ed25519' as const, key: 'SHA256:' + 'x'.repeat(43), value: 'c2ln'.repeat(21) + 'ab=='}

describe('hand-off layout', () => {
  it('the reader and the yaml package read a rendered file identically', () => {
    const text = renderHandoff(content, signature)
    const fast = parseHandoff(text)
    expect(fast.content).toEqual(content)
    expect(fast.signature).toEqual(signature)
    expect(fast.lineOf(0)).toBe(text.split('\n').indexOf('events:') + 2)
    const yaml = parse(text) as Record<string, unknown>
    const {signature: s, ...rest} = yaml
    expect(rest).toEqual(content)
    expect(s).toEqual(signature)
    // CRLF line endings give the same content too.
    expect(parseHandoff(text.replace(/\n/g, '\r\n')).content).toEqual(content)
  })

  it('an empty list round-trips', () => {
    const empty = {...content, events: [], count: 0, last_seq: 0, last_hash: null}
    expect(parseHandoff(renderHandoff(empty, signature)).content).toEqual(empty)
  })

  it('shape problems come with line numbers', () => {
    const text = renderHandoff(content, signature)
      .replace('kind: install', 'kind: burgle')
      .replace('role: retail', 'role: 7')
    try {
      parseHandoff(text, 'h.yaml')
      expect.unreachable()
    } catch (error) {
      const problems = (error as {problems: {message: string; file: string; line: number}[]}).problems
      const lines = text.split('\n')
      expect(problems.map((p) => [p.message, lines[p.line - 1].trim()])).toEqual([
        ['events.0.kind: invalid value "burgle"', 'kind: burgle'],
        ['events.0.role: invalid value 7', 'role: 7'],
      ])
    }
  })

  it('a YAML syntax error is reported at its place', () => {
    expect(() => parseHandoff('fleet_audit_handoff: 1\ntype: [events\n', 'h.yaml')).toThrow(
      /h\.yaml:\d+:\d+ not a readable hand-off file/,
    )
    expect(() => parseHandoff('just: text\n', 'h.yaml')).toThrow(/no fleet_audit_handoff key/)
  })
})

describe('fast canonical forms', () => {
  it('canonicalEvent and canonicalContent equal the generic canonicalJson', async () => {
    const {canonicalEvent, canonicalContent, eventBody} = await import('../../../src/ledger/hash.js')
    const event = content.events![0]
    const odd = {...event, note: 'é\u2028😀"\\', macs: [], delegation: 'x', from_site: 'a', from_zone: 'b', seq: 123456}
    for (const e of [event, odd]) {
      expect(canonicalEvent(e)).toBe(canonicalJson(eventBody(e)))
      expect(canonicalEvent(e, true)).toBe(canonicalJson(e))
    }
    const doc = {...content, events: [event, odd]}
    expect(canonicalContent(doc)).toBe(canonicalJson(doc))
    expect(canonicalContent(doc)).toBe(canonicalize(doc))
  })
})

describe('withHash', () => {
  it('puts the hash where canonical key order wants it, even when a value mentions host_key', async () => {
    const {canonicalEvent, withHash} = await import('../../../src/ledger/hash.js')
    const tricky = {...content.events![0], actor: ',"host_key":"x"', from_zone: '","host_key":', hash: 'ff'.repeat(32)}
    expect(withHash(canonicalEvent(tricky), tricky.hash)).toBe(canonicalEvent(tricky, true))
    expect(withHash(canonicalEvent(tricky), tricky.hash)).toBe(canonicalJson(tricky))
  })
})

describe('compiled record renderers', () => {
  it('write every value exactly as scalar() does, across records that repeat and change values', async () => {
    const {renderEventRecord, scalar} = await import('../../../src/ledger/handoff-format.js')
    const {EVENT_FIELDS} = await import('../../../src/model/ledger-fields.js')
    const hostile: unknown[] = [
      'retail',
      'true',
      'NULL',
      'y',
      'No',
      '',
      ' lead',
      'a: b',
      'x #y',
      '0123',
      '-1',
      '1e3',
      'é',
      '窓口\n"q"',
      'ab'.repeat(32),
      '0a'.repeat(32),
      'AB'.repeat(32),
      'ab'.repeat(31) + 'a',
      'ab'.repeat(32) + '\n',
      '2026-11-27T10:00+09:00',
      '2026-11-27T10:00+09:00 # c',
      '9',
      'install',
      'nw',
      'remove ',
      0,
      -0,
      7,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      null,
      undefined,
      [],
      ['02:00:00:00:00:01'],
      {a: 1},
    ]
    const expected = (r: Record<string, unknown>): string =>
      EVENT_FIELDS.map((f, i) => `${i === 0 ? '  - ' : '    '}${f.name}: ${scalar(r[f.name])}\n`).join('')
    const base = content.events![0] as unknown as Record<string, unknown>
    // Every hostile value in every field, each followed by a repeat (the memo) and by the usual value again.
    for (const f of EVENT_FIELDS)
      for (const value of hostile)
        for (const r of [{...base, [f.name]: value}, {...base, [f.name]: value}, base]) {
          expect(renderEventRecord(r as never)).toBe(expected(r))
        }
    // An array changed in place between two records is written as it is now.
    const macs = ['02:00:00:00:00:01']
    expect(renderEventRecord({...base, macs} as never)).toContain('macs: ["02:00:00:00:00:01"]\n')
    macs.push('02:00:00:00:00:02')
    expect(renderEventRecord({...base, macs} as never)).toContain('macs: ["02:00:00:00:00:01","02:00:00:00:00:02"]\n')
  })

  it('remember a value only once its text is made: a value scalar() refuses is refused again, never written stale', async () => {
    const {renderEventRecord, scalar} = await import('../../../src/ledger/handoff-format.js')
    const base = content.events![0] as unknown as Record<string, unknown>
    // JSON.stringify throws on a BigInt, so scalar() does; the memo of an id field must not keep a value it failed on.
    expect(() => scalar(5n)).toThrow(TypeError)
    const odd = {...base, actor: 5n}
    expect(() => renderEventRecord(odd as never)).toThrow(TypeError)
    expect(() => renderEventRecord(odd as never)).toThrow(TypeError)
    // And the usual value after it is written as scalar() writes it.
    expect(renderEventRecord(base as never)).toContain(`    actor: ${scalar(base.actor)}\n`)
  })
})
