/**
 * What a ledger keeps of the lists the other company signed is enough to rebuild them into files that verify with
 * its key (evidence bundles carry them), on real SQLite files; and an acknowledgement edited behind the library's
 * back no longer does.
 */
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {keptHandoffs} from '../../../src/ledger/kept-handoffs.js'
import {
  exportAcks,
  exportHandoff,
  importAcks,
  importHandoff,
  openLedger,
  readHandoff,
  recordAck,
  recordEvent,
  type LedgerDb,
} from '../../../src/ledger/index.js'
import {keyedInventory, sqlite, tempDir} from './support.js'

const now = new Date('2026-11-27T03:00:00Z')
const later = new Date('2026-11-28T03:00:00Z')
const {nwKeys, retailKeys, inventory} = keyedInventory()

let dir: string
let cleanup: () => void
let retail: LedgerDb
let nw: LedgerDb
beforeEach(() => {
  ;({dir, cleanup} = tempDir())
  retail = openLedger(join(dir, 'retail.sqlite'))
  nw = openLedger(join(dir, 'nw.sqlite'))
})
afterEach(() => {
  retail.close()
  nw.close()
  cleanup()
})

/** Retail hands two installs over, NW acknowledges them (one rejected) in two lists, the second re-sending the first ack. */
function roundTrip(): void {
  const opts = {companies: inventory.companies, now: later}
  for (const t of ['T-001', 'T-002'])
    recordEvent(
      retail,
      inventory,
      {
        kind: 'install',
        terminal: t,
        issuer: 'retail',
        actor: 'rt-tanaka',
        approver: 'rt-ito',
        occurred_at: '2026-11-27T10:00+09:00',
      },
      now,
    )
  const events = exportHandoff(retail, {
    from: 'retail',
    to: 'nw',
    privateKeyPem: retailKeys.privateKeyPem,
    publicKeyPem: retailKeys.publicKeyPem,
    now,
  }).text
  importHandoff(nw, events, retailKeys.publicKeyPem, {...opts, recipient: 'nw'})
  const [e1, e2] = ['T-001', 'T-002'].map((_, i) => ({
    issuer: 'retail',
    seq: i + 1,
    hash: nw
      .prepare('SELECT hash FROM events WHERE seq = ?')
      .pluck()
      .get(i + 1) as string,
  }))
  recordAck(nw, inventory, {acker: 'nw', event: e1, findings: []}, later)
  const ackOpts = {
    from: 'nw',
    to: 'retail',
    privateKeyPem: nwKeys.privateKeyPem,
    publicKeyPem: nwKeys.publicKeyPem,
    now: later,
  }
  importAcks(retail, exportAcks(nw, ackOpts).text, nwKeys.publicKeyPem, {...opts, recipient: 'retail'})
  const rejected = {rule: 'placement/nw-terminal-in-shared-zone', severity: 'critical', terminal: 'T-002'} as never
  recordAck(nw, inventory, {acker: 'nw', event: e2, findings: [rejected]}, later)
  importAcks(retail, exportAcks(nw, {...ackOpts, since: 1}).text, nwKeys.publicKeyPem, {...opts, recipient: 'retail'})
}

describe('keptHandoffs', () => {
  it("rebuilds every list the ledger imported into a file that verifies with the sender's key", () => {
    roundTrip()
    const kept = keptHandoffs(retail)
    expect(
      kept.map(({type, issuer, recipient, first_seq, last_seq}) => ({type, issuer, recipient, first_seq, last_seq})),
    ).toEqual([
      {type: 'acks', issuer: 'nw', recipient: 'retail', first_seq: 1, last_seq: 1},
      {type: 'acks', issuer: 'nw', recipient: 'retail', first_seq: 1, last_seq: 2},
    ])
    for (const k of kept) {
      const read = readHandoff(k.text, nwKeys.publicKeyPem, {recipient: 'retail', type: 'acks'})
      expect(read.records.map((r) => r.seq)).toEqual(
        Array.from({length: k.last_seq - k.first_seq + 1}, (_, i) => k.first_seq + i),
      )
    }

    expect(readHandoff(kept[1].text, nwKeys.publicKeyPem).content.acks!.map((a) => a.state)).toEqual([
      'verified',
      'rejected',
    ])
    // NW's database imported retail's events the same way.
    const [events] = keptHandoffs(nw)
    expect(readHandoff(events.text, retailKeys.publicKeyPem, {type: 'events'}).records).toHaveLength(2)
    // Another company's key does not verify them: the signature is NW's.
    expect(() => readHandoff(kept[0].text, retailKeys.publicKeyPem)).toThrow(/signed with key/)
  })

  it("an acknowledgement edited behind the library's back no longer verifies in its rebuilt list", () => {
    roundTrip()
    retail.close()
    const path = join(dir, 'retail.sqlite')
    sqlite(path, "DROP TRIGGER acks_no_update; UPDATE acks SET state = 'verified' WHERE seq = 2;")
    retail = openLedger(path, {readonly: true})
    const kept = keptHandoffs(retail)
    expect(() => readHandoff(kept[0].text, nwKeys.publicKeyPem)).not.toThrow()
    expect(() => readHandoff(kept[1].text, nwKeys.publicKeyPem)).toThrow(/seq 2 was altered/)
  })
})
