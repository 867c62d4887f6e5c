/**
 * The bytes every hash and signature covers must never drift, whatever the code that builds them: a known event's
 * and ack's canonical JSON are pinned here, and hand-off files and a database written by an earlier fleet-audit
 * (before the field tables) must still import and verify.
 */
import {copyFileSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {
  canonicalJson,
  hashAck,
  hashEvent,
  importAcks,
  importHandoff,
  type LedgerAck,
  type LedgerDb,
  type LedgerEvent,
  openLedger,
  verifyLedger,
} from '../../../src/ledger/index.js'
import {canonicalEvent} from '../../../src/ledger/hash.js'
import {tempDir} from '../../commands/ledger/support.js'

const FIXTURES = 'test/fixtures/ledger'
const KEYS = 'inventories/tohoku-example/keys'
const at = {file: 'i.yaml', line: 1, column: 1}
const companies = [
  {
    id: 'tohoku-epco',
    name: 'Retail',
    side: 'retail' as const,
    public_key: readFileSync(join(KEYS, 'tohoku-epco.pub'), 'utf8'),
    source: at,
  },
  {
    id: 'tohoku-nw',
    name: 'NW',
    side: 'nw' as const,
    public_key: readFileSync(join(KEYS, 'tohoku-nw.pub'), 'utf8'),
    source: at,
  },
]
const now = new Date('2026-11-27T03:00:00Z')

const event: LedgerEvent = {
  issuer: 'tohoku-epco',
  seq: 1,
  kind: 'install',
  terminal: 'IS-RT-103',
  site: 'iwate-sanriku',
  zone: 'is-retail-office',
  from_site: null,
  from_zone: null,
  role: 'retail',
  owner: 'tohoku-epco',
  host_key: null,
  serial: 'JP3S1T103',
  macs: ['3c:52:82:11:01:03'],
  actor: 'ep-tanaka',
  approver: 'ep-takahashi',
  delegation: null,
  occurred_at: '2026-11-20T10:00+09:00',
  recorded_at: '2026-11-27T03:00:00.000Z',
  note: '窓口の端末 "quoted" # not a comment',
  prev_hash: null,
  hash: '990eeec3b19e137e2ec4b58e9bbc6b7bf37ee15faab660872089bc426baede19',
}

const EVENT_BYTES =
  '{"actor":"ep-tanaka","approver":"ep-takahashi","delegation":null,"from_site":null,"from_zone":null,"host_key":null,"issuer":"tohoku-epco","kind":"install","macs":["3c:52:82:11:01:03"],"note":"窓口の端末 \\"quoted\\" # not a comment","occurred_at":"2026-11-20T10:00+09:00","owner":"tohoku-epco","prev_hash":null,"recorded_at":"2026-11-27T03:00:00.000Z","role":"retail","seq":1,"serial":"JP3S1T103","site":"iwate-sanriku","terminal":"IS-RT-103","zone":"is-retail-office"}'

const ack: LedgerAck = {
  acker: 'tohoku-nw',
  issuer: 'tohoku-epco',
  seq: 1,
  event_seq: 1,
  event_hash: event.hash,
  state: 'rejected',
  evidence: [
    {
      rule: 'reconcile/role-mismatch',
      severity: 'high',
      terminal: 'IS-RT-103',
      site: 'iwate-sanriku',
      zone: 'is-retail-office',
      message: 'set to NW, declared retail',
      expected: 'retail',
      actual: 'nw',
      location: {file: 'fleet.yaml', line: 3, column: 5},
    } as never,
  ],
  actor: null,
  checked_at: '2026-11-27T03:00:00.000Z',
  recorded_at: '2026-11-27T03:00:00.000Z',
  note: 'checked on site',
  prev_hash: null,
  hash: 'cd549f49ec956ccc4ea2c478deea5f48912de6ffb6ed1ad53834fcc272798b2a',
}

describe('signed bytes', () => {
  it("an event's canonical JSON and hash are pinned", () => {
    const {hash: _, ...body} = event
    expect(canonicalEvent(body)).toBe(EVENT_BYTES)
    expect(canonicalJson(body)).toBe(EVENT_BYTES)
    expect(hashEvent(body)).toBe(event.hash)
    expect(canonicalEvent(event, true)).toBe(canonicalJson(event))
  })

  it("an ack's hash is pinned", () => {
    const {hash: _, ...body} = ack
    expect(hashAck(body)).toBe(ack.hash)
  })
})

describe('files and databases written before the field tables', () => {
  let dir: string
  let cleanup: () => void
  let db: LedgerDb
  beforeEach(() => {
    ;({dir, cleanup} = tempDir())
  })
  afterEach(() => {
    db?.close()
    cleanup()
  })

  it('hand-off v2 files of events and of acks import', () => {
    db = openLedger(join(dir, 'x.sqlite'))
    const events = importHandoff(db, readFileSync(join(FIXTURES, 'v2-events.yaml'), 'utf8'), companies[0].public_key, {
      now,
      companies,
      recipient: 'tohoku-nw',
    })
    expect(events).toMatchObject({type: 'events', added: 2, last_seq: 2})
    const acks = importAcks(db, readFileSync(join(FIXTURES, 'v2-acks.yaml'), 'utf8'), companies[1].public_key, {
      now,
      companies,
    })
    expect(acks).toMatchObject({type: 'acks', added: 1})
    const stored = db.prepare('SELECT * FROM events WHERE seq = 1').get() as Record<string, unknown>
    expect({...stored, macs: JSON.parse(stored.macs as string)}).toEqual({...event, imported_at: now.toISOString()})
  })

  it('a database written then still verifies', () => {
    copyFileSync(join(FIXTURES, 'v3-nw.sqlite'), join(dir, 'nw.sqlite'))
    db = openLedger(join(dir, 'nw.sqlite'), {readonly: true})
    const result = verifyLedger(db, {companies})
    expect(result.problems).toEqual([])
    expect(result.chains.map((c) => [c.chain, c.company, c.count])).toEqual([
      ['events', 'tohoku-epco', 2],
      ['acks', 'tohoku-nw', 1],
    ])
  })
})
