import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {
  hashEvent,
  listEvents,
  openLedger,
  recordEvent,
  recordEvents,
  type EventInput,
  type LedgerDb,
} from '../../../src/ledger/index.js'
import {testInventory, tempDir} from '../../commands/ledger/support.js'

const now = new Date('2026-11-27T03:00:00Z')
const inventory = testInventory()
const install = (terminal: string, extra: Partial<EventInput> = {}): EventInput => ({
  kind: 'install',
  terminal,
  issuer: 'retail',
  actor: 'rt-tanaka',
  approver: 'rt-ito',
  occurred_at: '2026-11-27T10:00+09:00',
  ...extra,
})

let db: LedgerDb
let cleanup: () => void
beforeEach(() => {
  const t = tempDir()
  cleanup = t.cleanup
  db = openLedger(join(t.dir, 'l.sqlite'))
})
afterEach(() => {
  db.close()
  cleanup()
})

describe('recordEvent', () => {
  it('takes place, role, owner and identity from the declaration and chains the hash', () => {
    const first = recordEvent(db, inventory, install('T-001', {note: 'new PC for temp staff'}), now)
    expect(first).toMatchObject({
      issuer: 'retail',
      seq: 1,
      kind: 'install',
      site: 'sendai',
      zone: 'sendai-retail',
      role: 'retail',
      owner: 'retail',
      host_key: 'SHA256:hostkey001',
      serial: 'SN-001',
      macs: ['02:00:00:00:00:01'],
      occurred_at: '2026-11-27T10:00+09:00',
      recorded_at: '2026-11-27T03:00:00.000Z',
      note: 'new PC for temp staff',
      prev_hash: null,
    })
    expect(first.hash).toBe(hashEvent(first))
    const second = recordEvent(db, inventory, install('T-002'), now)
    expect(second).toMatchObject({seq: 2, prev_hash: first.hash})
  })

  it('keeps one chain per issuing company', () => {
    recordEvent(db, inventory, install('T-001'), now)
    const nw = recordEvent(
      db,
      inventory,
      install('T-003', {issuer: 'nw', actor: 'nw-sato', approver: 'nw-suzuki'}),
      now,
    )
    expect(nw).toMatchObject({issuer: 'nw', seq: 1, prev_hash: null})
  })

  it('refuses unknown references with E_REF, all at once', () => {
    const bad = install('T-999', {issuer: 'acme', actor: 'nobody', zone: 'moon', site: 'sendai'})
    try {
      recordEvent(db, inventory, bad, now)
      expect.unreachable()
    } catch (error) {
      const e = error as {code: string; problems: {code: string; message: string}[]}
      expect(e.code).toBe('E_REF')
      expect(e.problems.map((p) => p.message)).toEqual([
        'unknown terminal "T-999"',
        'unknown company "acme" (issuer)',
        'unknown person "nobody" (actor)',
        'unknown zone "moon" (zone)',
      ])
    }
    expect(listEvents(db)).toEqual([])
  })

  it('refuses a zone of another site', () => {
    expect(() => recordEvent(db, inventory, install('T-001', {zone: 'hachinohe-nw'}), now)).toThrow(
      /zone "hachinohe-nw" is at site hachinohe, not sendai/,
    )
  })

  it('refuses an approver who is the actor', () => {
    expect(() => recordEvent(db, inventory, install('T-001', {approver: 'rt-tanaka'}), now)).toThrow(
      expect.objectContaining({code: 'E_SEPARATION'}),
    )
  })

  it('wants a delegation when the actor is of another company', () => {
    expect(() => recordEvent(db, inventory, install('T-001', {actor: 'ctr-kato'}), now)).toThrow(
      expect.objectContaining({code: 'E_DELEGATION'}),
    )
    const e = recordEvent(
      db,
      inventory,
      install('T-001', {actor: 'ctr-kato', delegation: 'contractor installs for retail under contract 2026-14'}),
      now,
    )
    expect(e.delegation).toBe('contractor installs for retail under contract 2026-14')
  })

  it('wants occurred_at with an offset, not in the future', () => {
    expect(() => recordEvent(db, inventory, install('T-001', {occurred_at: '2026-11-27T10:00'}), now)).toThrow(
      /with an offset/,
    )
    expect(() => recordEvent(db, inventory, install('T-001', {occurred_at: '2026-11-28T10:00+09:00'}), now)).toThrow(
      /in the future/,
    )
  })

  it('a move takes its origin from the last event of the terminal, or refuses without one', () => {
    expect(() => recordEvent(db, inventory, install('T-004', {kind: 'move'}), now)).toThrow(
      /no earlier event says where it was/,
    )
    recordEvent(db, inventory, install('T-004', {site: 'sendai', zone: 'sendai-training'}), now)
    const move = recordEvent(db, inventory, install('T-004', {kind: 'move'}), now)
    expect(move).toMatchObject({
      site: 'hachinohe',
      zone: 'hachinohe-counter',
      from_site: 'sendai',
      from_zone: 'sendai-training',
    })
  })

  it('records a batch in one transaction: one bad input records nothing', () => {
    expect(() => recordEvents(db, inventory, [install('T-001'), install('T-404')], now)).toThrow(
      /events\[1\]: unknown terminal/,
    )
    expect(listEvents(db)).toHaveLength(0)
    const recorded = recordEvents(db, inventory, [install('T-001'), install('T-002')], now)
    const stored = listEvents(db)
    expect(stored.map((e) => e.seq)).toEqual([1, 2])
    // The summary, not the events: the count and the chain head, which is the last event stored.
    expect(recorded).toEqual({count: 2, heads: [{issuer: 'retail', seq: 2, hash: stored[1].hash}]})
  })
})

describe('append-only', () => {
  it('the database itself refuses UPDATE and DELETE of events and acks', () => {
    recordEvent(db, inventory, install('T-001'), now)
    expect(() => db.prepare(`UPDATE events SET zone = 'hachinohe-counter'`).run()).toThrow(/append-only/)
    expect(() => db.prepare(`DELETE FROM events`).run()).toThrow(/append-only/)
    expect(() => db.prepare(`UPDATE acks SET state = 'verified'`).run()).not.toThrow() // no rows: nothing fires
    expect(listEvents(db)).toHaveLength(1)
  })

  it('refuses an insert that does not extend the chain', () => {
    const e = recordEvent(db, inventory, install('T-001'), now)
    const row = {...e, seq: 3, macs: '[]', hash: 'x'.repeat(64), prev_hash: e.hash}
    const cols = Object.keys(row)
    expect(() =>
      db.prepare(`INSERT INTO events (${cols.join(',')}) VALUES (${cols.map((c) => '@' + c).join(',')})`).run(row),
    ).toThrow(/extend their chain/)
  })
})

describe('listEvents', () => {
  it('filters by terminal, site (incl. the origin of a move), kind, since and unacknowledged', () => {
    recordEvent(db, inventory, install('T-001', {occurred_at: '2026-11-01T09:00+09:00'}), now)
    recordEvent(
      db,
      inventory,
      install('T-004', {site: 'sendai', zone: 'sendai-training', occurred_at: '2026-11-20T09:00+09:00'}),
      now,
    )
    recordEvent(db, inventory, install('T-004', {kind: 'move', occurred_at: '2026-11-26T09:00+09:00'}), now)
    expect(listEvents(db, {terminal: 'T-004'}).map((e) => e.seq)).toEqual([2, 3])
    expect(listEvents(db, {site: 'sendai'}).map((e) => e.seq)).toEqual([1, 2, 3])
    expect(listEvents(db, {site: 'hachinohe'}).map((e) => e.seq)).toEqual([3])
    expect(listEvents(db, {kind: 'move'}).map((e) => e.seq)).toEqual([3])
    // 2026-11-20T00:00Z is 09:00 in Tokyo: the offset is honoured, not the string order.
    expect(listEvents(db, {since: new Date('2026-11-20T00:00:00Z')}).map((e) => e.seq)).toEqual([2, 3])
    expect(listEvents(db, {since: '2026-11-20T00:00:01Z'}).map((e) => e.seq)).toEqual([3])
    expect(listEvents(db, {until: '2026-11-20T00:00:00Z'}).map((e) => e.seq)).toEqual([1, 2])
    expect(listEvents(db, {unacknowledged: true})).toHaveLength(3)
    expect(listEvents(db)[0]).toMatchObject({imported_at: null, ack: null})
  })
})
