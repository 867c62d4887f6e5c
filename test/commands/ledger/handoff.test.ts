import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {
  canonicalJson,
  exportAcks,
  exportHandoff,
  generateKeyPair,
  hashEvent,
  importAcks,
  importHandoff,
  ledgerView,
  listEvents,
  loadHandoffFiles,
  openLedger,
  recordAck,
  recordEvent,
  verifyLedger,
  type EventInput,
  type LedgerDb,
} from '../../../src/ledger/index.js'
import type {Finding} from '../../../src/model/types.js'
import {signHandoff} from '../../../src/ledger/handoff-sign.js'
import {keyedInventory, signing, tempDir} from './support.js'

const now = new Date('2026-11-27T03:00:00Z')
const later = new Date('2026-11-28T03:00:00Z')
const {nwKeys, retailKeys, inventory} = keyedInventory([
  {id: 'ctr', name: 'Contractor', side: 'retail', source: {file: 'i.yaml', line: 3, column: 1}},
])
const input = (terminal: string, kind: EventInput['kind'] = 'install'): EventInput => ({
  kind,
  terminal,
  issuer: 'retail',
  actor: 'rt-tanaka',
  approver: 'rt-ito',
  occurred_at: '2026-11-27T10:00+09:00',
})

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

const exportRetail = (since?: number, at = now): string =>
  exportHandoff(retail, {
    from: 'retail',
    to: 'nw',
    since,
    privateKeyPem: retailKeys.privateKeyPem,
    publicKeyPem: retailKeys.publicKeyPem,
    now: at,
  }).text
const importNw = (text: string): ReturnType<typeof importHandoff> =>
  importHandoff(nw, text, retailKeys.publicKeyPem, {companies: inventory.companies, now: later, recipient: 'nw'})
const record = (...terminals: string[]): void =>
  void terminals.forEach((t) => recordEvent(retail, inventory, input(t), now))
/** The first problem of the refusal (InputError's own message adds the code and file). */
const refusal = (fn: () => unknown): {code: string; message: string; hint?: string} => {
  try {
    fn()
  } catch (error) {
    const e = error as {code: string; problems?: {code: string; message: string; hint?: string}[]; message: string}
    return e.problems?.[0] ?? e
  }
  throw new Error('not refused')
}

describe('hand-off round trip', () => {
  it('hands the list over as the UTF-8 bytes of its text, which a summary spread never carries', () => {
    record('T-001', 'T-002')
    const result = exportHandoff(retail, {
      from: 'retail',
      to: 'nw',
      privateKeyPem: retailKeys.privateKeyPem,
      publicKeyPem: retailKeys.publicKeyPem,
      now,
    })
    expect(result.bytes.toString('utf8')).toBe(result.text)
    expect(result.text).toMatch(/^# fleet-audit hand-off list: events 1\.\.2 from retail to nw\.\n/)
    expect(result.text).toMatch(/\nsignature:\n {2}algorithm: ed25519\n[^]*\n$/)
    expect(Object.keys(result)).not.toContain('text')
    expect(importNw(result.bytes.toString('utf8'))).toMatchObject({added: 2, status: 'imported'})
  })

  it('retail exports, NW imports, re-checks and acknowledges, retail sees the state', () => {
    record('T-001', 'T-002', 'T-004')
    const handoff = exportRetail()
    expect(importNw(handoff)).toMatchObject({
      type: 'events',
      issuer: 'retail',
      first_seq: 1,
      last_seq: 3,
      added: 3,
      status: 'imported',
    })
    expect(listEvents(nw)).toEqual(listEvents(retail).map((e) => ({...e, imported_at: later.toISOString()})))

    const [e1, e2, e3] = listEvents(nw)
    const counterFinding: Finding = {
      rule: 'placement/nw-terminal-in-shared-zone',
      severity: 'critical',
      terminal: 'T-004',
      message: {en: 'NW terminal at the shared counter', ja: '共用窓口にNW端末'},
      location: {file: 'i.yaml', line: 40, column: 5},
    }
    const low: Finding = {...counterFinding, rule: 'hygiene/x', severity: 'low', terminal: 'T-001'}
    expect(recordAck(nw, inventory, {acker: 'nw', actor: 'nw-sato', event: e1, findings: [low]}, later).state).toBe(
      'verified',
    )
    expect(recordAck(nw, inventory, {acker: 'nw', event: e2, findings: []}, later).state).toBe('verified')
    expect(recordAck(nw, inventory, {acker: 'nw', event: e3, findings: [counterFinding]}, later).state).toBe('rejected')
    expect(refusal(() => recordAck(nw, inventory, {acker: 'nw', event: e3, findings: []}, later)).code).toBe(
      'E_ACK_EXISTS',
    )
    expect(refusal(() => recordAck(retail, inventory, {acker: 'retail', event: e3, findings: []}, later)).code).toBe(
      'E_SEPARATION',
    )

    const acks = exportAcks(nw, {
      from: 'nw',
      to: 'retail',
      privateKeyPem: nwKeys.privateKeyPem,
      publicKeyPem: nwKeys.publicKeyPem,
      now: later,
    })
    expect(acks).toMatchObject({type: 'acks', first_seq: 1, last_seq: 3, count: 3})
    expect(
      importAcks(retail, acks.text, nwKeys.publicKeyPem, {
        companies: inventory.companies,
        now: later,
        recipient: 'retail',
      }),
    ).toMatchObject({added: 3, status: 'imported'})
    expect(listEvents(retail).map((e) => [e.seq, e.ack?.state, e.ack?.evidence_count])).toEqual([
      [1, 'verified', 1],
      [2, 'verified', 0],
      [3, 'rejected', 1],
    ])
    expect(listEvents(retail, {unacknowledged: true})).toEqual([])
    expect(ledgerView(retail).byTerminal['T-004'][0].ack).toMatchObject({acker: 'nw', state: 'rejected'})
    expect(verifyLedger(retail).ok).toBe(true)
    expect(verifyLedger(nw).ok).toBe(true)
  })

  it('exports only what is new since the last export; --since re-sends a range', () => {
    record('T-001', 'T-002')
    expect(listEvents(retail).map((e) => e.handed_off)).toEqual([false, false])
    expect(importNw(exportRetail()).added).toBe(2)
    record('T-004')
    expect(listEvents(retail).map((e) => e.handed_off)).toEqual([true, true, false])
    expect(ledgerView(nw).events.map((e) => e.handed_off)).toEqual([true, true])
    const next = parse(exportRetail()) as {first_seq: number; last_seq: number; events: unknown[]}
    expect(next).toMatchObject({first_seq: 3, last_seq: 3})
    const empty = exportHandoff(retail, {
      from: 'retail',
      to: 'nw',
      privateKeyPem: retailKeys.privateKeyPem,
      publicKeyPem: retailKeys.publicKeyPem,
      now,
    })
    expect(empty).toMatchObject({count: 0, first_seq: 4, last_seq: 3})
    const resend = exportRetail(2)
    expect(parse(resend)).toMatchObject({first_seq: 2, last_seq: 3, count: 2})
    expect(importNw(resend)).toMatchObject({added: 1, status: 'imported'})
    expect(importNw(empty.text)).toMatchObject({added: 0, status: 'unchanged'})
  })

  it('importing the same list twice (or replaying an old one) changes nothing', () => {
    record('T-001', 'T-002')
    const first = exportRetail()
    importNw(first)
    record('T-004')
    importNw(exportRetail())
    const before = nw.prepare('SELECT count(*) AS n FROM handoffs').get()
    expect(importNw(first)).toMatchObject({added: 0, status: 'unchanged'})
    expect(importNw(first)).toMatchObject({added: 0, status: 'unchanged'})
    expect(nw.prepare('SELECT count(*) AS n FROM handoffs').get()).toEqual(before)
    expect(listEvents(nw)).toHaveLength(3)
  })

  it('the signature survives re-indentation and CRLF line endings', () => {
    record('T-001', 'T-002')
    const text = exportRetail()
      .split('\n')
      .map((line) => (line.startsWith('  ') ? '  ' + line : line))
      .join('\r\n')
    expect(importNw(text).added).toBe(2)
  })

  it('reads as YAML a person can check: issuer, range, hashes, events, signature', () => {
    record('T-001')
    const doc = parse(exportRetail()) as Record<string, unknown>
    expect(Object.keys(doc)).toEqual([
      'fleet_audit_handoff',
      'type',
      'issuer',
      'recipient',
      'created_at',
      'first_seq',
      'last_seq',
      'count',
      'prev_hash',
      'last_hash',
      'heads',
      'events',
      'signature',
    ])
    expect(doc.signature).toMatchObject({algorithm: 'ed25519', key: retailKeys.fingerprint})
    const {signature: _s, ...content} = doc
    expect(canonicalJson(content)).toContain('"issuer":"retail"')
  })

  it('a company cannot import a chain it records itself, nor record into an imported one', () => {
    record('T-001')
    expect(
      refusal(() =>
        importHandoff(retail, exportRetail(), retailKeys.publicKeyPem, {companies: inventory.companies, now}),
      ).code,
    ).toBe('E_CHAIN_LOCAL')
    importNw(exportRetail(1))
    expect(refusal(() => recordEvent(nw, inventory, input('T-002'), now)).code).toBe('E_CHAIN_IMPORTED')
  })
})

describe('refused hand-off files', () => {
  beforeEach(() => record('T-001', 'T-002', 'T-004', 'T-001'))

  it('a truncated file', () => {
    const text = exportRetail()
    const cut = text.slice(0, text.lastIndexOf('  - ', text.indexOf('seq: 3\n')))
    expect(cut).toMatch(/seq: 2\n/)
    const e = refusal(() => importNw(cut))
    expect(e.code).toBe('E_HANDOFF_SIGNATURE')
    expect(e.message).toMatch(/no signature: the file is incomplete \(truncated\?\)/)
    const cutMidString = text.slice(0, text.indexOf('"', text.indexOf('occurred_at')) + 5)
    expect(refusal(() => importNw(cutMidString)).code).toBe('E_HANDOFF_FORMAT')
    expect(listEvents(nw)).toEqual([])
  })

  it('an edited event, named by its seq', () => {
    const text = exportRetail().replace(/zone: sendai-retail/, 'zone: hachinohe-counter')
    const e = refusal(() => importNw(text))
    expect(e).toMatchObject({code: 'E_HANDOFF_ALTERED'})
    expect(e.message).toMatch(/seq 1 was altered/)
  })

  it('an edited event whose hash and links were recomputed (only the signature shows it)', () => {
    const doc = parse(exportRetail()) as {events: Record<string, unknown>[]; last_hash: string}
    const last = doc.events[3]
    last.note = 'nothing to see'
    last.hash = hashEvent(last as never)
    doc.last_hash = last.hash as string
    const e = refusal(() => importNw(stringify(doc)))
    expect(e).toMatchObject({
      code: 'E_HANDOFF_SIGNATURE',
      message: 'the signature does not match the content: the file was altered after retail signed it',
    })
    // Recomputing one hash in the middle breaks the next link, which names the place.
    const mid = parse(exportRetail(1)) as {events: Record<string, unknown>[]}
    mid.events[1].note = 'nothing to see'
    mid.events[1].hash = hashEvent(mid.events[1] as never)
    expect(refusal(() => importNw(stringify(mid))).message).toBe(
      'signature does not match: seq 3 does not link to seq 2 (one of them was altered)',
    )
  })

  it('a list re-signed with another key', () => {
    const mallory = generateKeyPair()
    const text = exportHandoff(retail, {
      from: 'retail',
      to: 'nw',
      privateKeyPem: mallory.privateKeyPem,
      publicKeyPem: mallory.publicKeyPem,
      now,
    }).text
    const e = refusal(() => importNw(text))
    expect(e.code).toBe('E_HANDOFF_SIGNATURE')
    expect(e.message).toBe(`signed with key ${mallory.fingerprint}, not retail's key ${retailKeys.fingerprint}`)
  })

  it('a list replayed to another recipient', () => {
    const text = exportHandoff(retail, {
      from: 'retail',
      to: 'ctr',
      privateKeyPem: retailKeys.privateKeyPem,
      publicKeyPem: retailKeys.publicKeyPem,
      now,
    }).text
    expect(refusal(() => importNw(text))).toMatchObject({
      code: 'E_HANDOFF_RECIPIENT',
      message: 'the list is addressed to ctr, not nw',
    })
  })

  it('a list that skips events already due (a lost file): names the missing seq and how to fix it', () => {
    importNw(exportRetail(1)) // all four
    recordEvent(retail, inventory, input('T-002', 'remove'), now)
    recordEvent(retail, inventory, input('T-004', 'remove'), now)
    exportRetail() // 5..6, lost on the way
    recordEvent(retail, inventory, input('T-001', 'remove'), now)
    const e = refusal(() => importNw(exportRetail()))
    expect(e).toMatchObject({
      code: 'E_HANDOFF_GAP',
      message: 'seq 5..6 missing: the last imported is 4, this list continues at 7',
      hint: 'ask retail to export again with --since 5',
    })
    expect(importNw(exportRetail(5)).added).toBe(3)
  })

  it('a list whose events conflict with those imported before (a rewritten chain)', () => {
    importNw(exportRetail())
    // Another retail database with a different history, signed with the real key.
    const other = openLedger(join(dir, 'other.sqlite'))
    recordEvent(other, inventory, input('T-002'), now)
    const text = exportHandoff(other, {
      from: 'retail',
      to: 'nw',
      privateKeyPem: retailKeys.privateKeyPem,
      publicKeyPem: retailKeys.publicKeyPem,
      now,
    }).text
    other.close()
    expect(refusal(() => importNw(text))).toMatchObject({
      code: 'E_HANDOFF_CONFLICT',
      message: expect.stringMatching(/^seq 1 differs from the seq 1 imported before/),
    })
  })

  it('a signed list that repeats, reorders or drops an event inside it, named by seq', () => {
    const doc = parse(exportRetail()) as Record<string, unknown> & {events: unknown[]}
    const sign = (events: unknown[]): string => {
      // A buggy (or dishonest) sender signs a list whose events are not consecutive.
      const content = {...doc, events, count: events.length}
      delete (content as Record<string, unknown>).signature
      const signature = signHandoff(
        content as never,
        {bytes: canonicalJson(content)},
        cryptoMod.createPrivateKey(retailKeys.privateKeyPem),
      )
      return JSON.stringify({...content, signature})
    }
    const [a, b, c, d] = doc.events
    expect(refusal(() => importNw(sign([a, b, b, c, d])))).toMatchObject({
      code: 'E_HANDOFF_REPEAT',
      message: 'seq 2 appears twice (repeated)',
    })
    expect(refusal(() => importNw(sign([a, c, b, d])))).toMatchObject({
      code: 'E_HANDOFF_ORDER',
      message: 'seq 3 comes where seq 2 belongs (reordered)',
    })
    expect(refusal(() => importNw(sign([a, b, d])))).toMatchObject({
      code: 'E_HANDOFF_GAP',
      message: 'seq 3 is missing (the list jumps to seq 4)',
    })
    expect(listEvents(nw)).toEqual([])
  })

  it('an acks list that acknowledges events the issuer never issued', () => {
    importNw(exportRetail())
    const [e1] = listEvents(nw)
    recordAck(nw, inventory, {acker: 'nw', event: e1, findings: []}, later)
    const acks = exportAcks(nw, {
      from: 'nw',
      to: 'retail',
      privateKeyPem: nwKeys.privateKeyPem,
      publicKeyPem: nwKeys.publicKeyPem,
      now: later,
    }).text
    const empty = openLedger(join(dir, 'empty.sqlite'))
    expect(
      refusal(() => importAcks(empty, acks, nwKeys.publicKeyPem, {companies: inventory.companies, now: later})),
    ).toMatchObject({code: 'E_HANDOFF_REF'})
    empty.close()
    expect(
      refusal(() =>
        importAcks(retail, exportRetail(1), retailKeys.publicKeyPem, {companies: inventory.companies, now: later}),
      ),
    ).toMatchObject({code: 'E_HANDOFF_TYPE'})
  })
})

describe('loadHandoffFiles (CI, no database)', () => {
  it('joins signed files into one view with ack states', () => {
    record('T-001', 'T-002')
    const f1 = join(dir, 'retail-1.yaml')
    writeFileSync(f1, exportRetail())
    record('T-004')
    const f2 = join(dir, 'retail-2.yaml')
    writeFileSync(f2, exportRetail())
    importNw(exportRetail(1))
    recordAck(nw, inventory, {acker: 'nw', event: listEvents(nw)[0], findings: []}, later)
    const f3 = join(dir, 'nw-acks.yaml')
    writeFileSync(
      f3,
      exportAcks(nw, {
        from: 'nw',
        to: 'retail',
        privateKeyPem: nwKeys.privateKeyPem,
        publicKeyPem: nwKeys.publicKeyPem,
        now: later,
      }).text,
    )
    const {view, files} = loadHandoffFiles([f2, f3, f1], inventory.companies)
    expect(files.map((f) => [f.type, f.first_seq, f.last_seq])).toEqual([
      ['events', 3, 3],
      ['acks', 1, 1],
      ['events', 1, 2],
    ])
    expect(view.events.map((e) => [e.seq, e.terminal, e.ack?.state ?? null])).toEqual([
      [1, 'T-001', 'verified'],
      [2, 'T-002', null],
      [3, 'T-004', null],
    ])
    expect(Object.keys(view.byTerminal).sort()).toEqual(['T-001', 'T-002', 'T-004'])
    expect(Object.isFrozen(view.events[0])).toBe(true)
  })

  it('reports every bad file at once: an altered file, an issuer without a key, an unreadable file', () => {
    record('T-001', 'T-002', 'T-004')
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, exportRetail(1).replace('T-002', 'T-003'))
    const ctr = join(dir, 'ctr.yaml')
    const ctrDb = openLedger(join(dir, 'ctr.sqlite'))
    recordEvent(
      ctrDb,
      inventory,
      {...input('T-001'), issuer: 'ctr', actor: 'ctr-kato', approver: 'rt-ito', delegation: 'approved by retail'},
      now,
    )
    writeFileSync(ctr, exportHandoff(ctrDb, {from: 'ctr', to: 'nw', ...signing(generateKeyPair()), now}).text)
    ctrDb.close()
    const missing = join(dir, 'nope.yaml')
    try {
      loadHandoffFiles([bad, ctr, missing], inventory.companies)
      expect.unreachable()
    } catch (error) {
      const problems = (error as {problems: {code: string; file: string}[]}).problems
      expect(problems.map((p) => [p.code, p.file])).toEqual([
        ['E_HANDOFF_ALTERED', bad],
        ['E_HANDOFF_KEY', ctr],
        ['E_HANDOFF_READ', missing],
      ])
    }
  })

  it('refuses a hole between the files of one chain', () => {
    record('T-001', 'T-002', 'T-004')
    const one = join(dir, 'one.yaml')
    writeFileSync(
      one,
      exportHandoff(retail, {
        from: 'retail',
        to: 'nw',
        privateKeyPem: retailKeys.privateKeyPem,
        publicKeyPem: retailKeys.publicKeyPem,
        now,
      }).text,
    )
    const three = join(dir, 'three.yaml')
    writeFileSync(three, exportRetail(3))
    // one.yaml holds 1..3 and overlaps three.yaml consistently; a file of seq 1 alone plus seq 3 leaves seq 2 out.
    expect(() => loadHandoffFiles([one, three], inventory.companies)).not.toThrow()
    const seq1 = join(dir, 'seq1.yaml')
    writeFileSync(seq1, onlyFirstEvent())
    expect(() => loadHandoffFiles([seq1, three], inventory.companies)).toThrow(
      /retail: seq 2..2 missing between the hand-off files/,
    )
  })
})

/** A signed list of seq 1 alone, from a fresh database whose first event matches the test's retail ledger. */
function onlyFirstEvent(): string {
  const db = openLedger(join(dir, 'first.sqlite'))
  recordEvent(db, inventory, input('T-001'), now)
  const text = exportHandoff(db, {
    from: 'retail',
    to: 'nw',
    privateKeyPem: retailKeys.privateKeyPem,
    publicKeyPem: retailKeys.publicKeyPem,
    now,
  }).text
  db.close()
  return text
}

import * as cryptoMod from 'node:crypto'
