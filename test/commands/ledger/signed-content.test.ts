/**
 * A valid signature says who wrote a hand-off list, not that its records can be used: content that is well signed
 * but unsound (a self-acknowledgement, a time that is not a time, control characters) is refused, and so is text
 * SQLite could not store faithfully.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {
  canonicalJson,
  exportAcks,
  exportHandoff,
  generateKeyPair,
  hashAck,
  hashEvent,
  importHandoff,
  type LedgerDb,
  loadHandoffFiles,
  openLedger,
  readHandoff,
  recordAck,
  recordEvent,
} from '../../../src/ledger/index.js'
import {signHandoff} from '../../../src/ledger/handoff-sign.js'
import {readPrivateKey} from '../../../src/ledger/keys.js'
import {tempDir, testInventory} from './support.js'

const now = new Date('2026-11-27T03:00:00Z')
const retailKeys = generateKeyPair()
const nwKeys = generateKeyPair()
const at = {file: 'i.yaml', line: 1, column: 1}
const inventory = testInventory(0, [
  {id: 'nw', name: 'NW', side: 'nw', public_key: nwKeys.publicKeyPem, source: at},
  {id: 'retail', name: 'Retail', side: 'retail', public_key: retailKeys.publicKeyPem, source: at},
])
const install = (terminal: string, note?: string) => ({
  kind: 'install' as const,
  terminal,
  issuer: 'retail',
  actor: 'rt-tanaka',
  approver: 'rt-ito',
  occurred_at: '2026-11-27T10:00+09:00',
  note,
})

/** Re-hashes and re-chains every record and re-signs the list with `pem`, as a forger holding that key would. */
function resign(text: string, pem: string, edit: (doc: Record<string, any>) => void): string {
  const doc = parse(text) as Record<string, any>
  edit(doc)
  const key = doc.type === 'acks' ? 'acks' : 'events'
  let prev = doc.prev_hash
  for (const r of doc[key]) {
    r.prev_hash = prev
    const {hash: _h, ...body} = r
    r.hash = key === 'acks' ? hashAck(body) : hashEvent(body)
    prev = r.hash
  }

  doc.last_hash = prev
  const {signature: _s, ...content} = doc
  doc.signature = signHandoff(content as never, {bytes: canonicalJson(content)}, readPrivateKey(pem))
  return stringify(doc)
}

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

const refusal = (fn: () => unknown): string => {
  try {
    fn()
  } catch (error) {
    return (error as {problems?: {code: string; message: string}[]})
      .problems!.map((p) => `${p.code} ${p.message}`)
      .join('\n')
  }

  throw new Error('not refused')
}

describe('signed but unsound content is refused', () => {
  it('a company acknowledging its own events', () => {
    recordEvent(retail, inventory, install('T-001'), now)
    importHandoff(
      nw,
      exportHandoff(retail, {
        from: 'retail',
        to: 'nw',
        privateKeyPem: retailKeys.privateKeyPem,
        publicKeyPem: retailKeys.publicKeyPem,
        now,
      }).text,
      retailKeys.publicKeyPem,
      {companies: inventory.companies, now, recipient: 'nw'},
    )
    const event = (
      parse(
        exportHandoff(retail, {
          from: 'retail',
          to: 'nw',
          since: 1,
          privateKeyPem: retailKeys.privateKeyPem,
          publicKeyPem: retailKeys.publicKeyPem,
          now,
        }).text,
      ) as {events: {hash: string}[]}
    ).events[0]
    recordAck(nw, inventory, {acker: 'nw', event: {issuer: 'retail', seq: 1, hash: event.hash}, findings: []}, now)
    const acks = exportAcks(nw, {
      from: 'nw',
      to: 'retail',
      privateKeyPem: nwKeys.privateKeyPem,
      publicKeyPem: nwKeys.publicKeyPem,
      now,
    }).text
    const self = resign(acks, retailKeys.privateKeyPem, (doc) => {
      doc.issuer = 'retail'
      for (const a of doc.acks) a.acker = 'retail'
    })
    expect(refusal(() => readHandoff(self, retailKeys.publicKeyPem))).toContain(
      'only the other company can acknowledge it',
    )
  })

  it('an event whose time is not a time, or whose site carries an escape sequence', () => {
    recordEvent(retail, inventory, install('T-001'), now)
    const text = exportHandoff(retail, {
      from: 'retail',
      to: 'nw',
      privateKeyPem: retailKeys.privateKeyPem,
      publicKeyPem: retailKeys.publicKeyPem,
      now,
    }).text
    const badTime = resign(text, retailKeys.privateKeyPem, (doc) => void (doc.events[0].occurred_at = 'garbage'))
    expect(
      refusal(() =>
        importHandoff(nw, badTime, retailKeys.publicKeyPem, {companies: inventory.companies, now, recipient: 'nw'}),
      ),
    ).toMatch(/E_HANDOFF_FORMAT .*occurred_at/)
    const badSite = resign(text, retailKeys.privateKeyPem, (doc) => void (doc.events[0].site = 'sendai\u001b[2J'))
    expect(
      refusal(() =>
        importHandoff(nw, badSite, retailKeys.publicKeyPem, {companies: inventory.companies, now, recipient: 'nw'}),
      ),
    ).toMatch(/E_HANDOFF_FORMAT .*site/)
  })

  it('a note SQLite would store differently from what was hashed (a lone surrogate) is refused when recording', () => {
    expect(refusal(() => recordEvent(retail, inventory, install('T-001', 'broken \ud800 text'), now))).toMatch(
      /E_INPUT note has control characters, bidi overrides or broken Unicode/,
    )
    expect(refusal(() => recordEvent(retail, inventory, install('T-001', 'bell \u0007'), now))).toMatch(/E_INPUT note/)
  })
})

describe('hand-off files without a database (CI)', () => {
  it('a chain must be there from its first event: a first file starting later is a gap', () => {
    for (const t of ['T-001', 'T-002', 'T-004']) recordEvent(retail, inventory, install(t), now)
    exportHandoff(retail, {
      from: 'retail',
      to: 'nw',
      privateKeyPem: retailKeys.privateKeyPem,
      publicKeyPem: retailKeys.publicKeyPem,
      now,
    })
    const tail = join(dir, 'tail.yaml')
    writeFileSync(
      tail,
      exportHandoff(retail, {
        from: 'retail',
        to: 'nw',
        since: 2,
        privateKeyPem: retailKeys.privateKeyPem,
        publicKeyPem: retailKeys.publicKeyPem,
        now,
      }).text,
    )
    expect(refusal(() => loadHandoffFiles([tail], inventory.companies))).toContain(
      'E_HANDOFF_GAP retail: seq 1..1 missing before the first hand-off file',
    )
  })
})
