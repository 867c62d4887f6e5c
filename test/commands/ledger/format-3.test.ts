import {createHash, createPrivateKey, createPublicKey, verify} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {
  canonicalJson,
  exportHandoff,
  importHandoff,
  importStreaming,
  listEvents,
  loadHandoffFiles,
  openLedger,
  parseHandoff,
  readHandoff,
  recordEvent,
  recordEvents,
  verifyLedger,
  type EventInput,
  type LedgerDb,
} from '../../../src/ledger/index.js'
import {handoffStatement, signHandoff} from '../../../src/ledger/handoff-sign.js'
import {keptHandoffs} from '../../../src/ledger/kept-handoffs.js'
import {HANDOFF_STATEMENT_FIELDS} from '../../../src/model/ledger-fields.js'
import {keyedInventory, tempDir, testInventory} from './support.js'

// Format 3: the signature covers a small statement naming the SHA-256 of the canonical content, so a list is
// checked and imported as it is read. These tests pin what that statement binds (no downgrade to format 2, no
// statement of one list on the content of another) and that the one-pass import writes nothing unless the whole
// list verifies, handing anything amiss to the full reader, which names the problem as before.

const now = new Date('2026-11-27T03:00:00Z')
const later = new Date('2026-11-28T03:00:00Z')
const keyed = keyedInventory()
const {retailKeys, nwKeys} = keyed
/** The keyed inventory with 1,200 more retail terminals: enough for the bulk insert path (>= 1,000 events). */
const inventory = {...keyed.inventory, terminals: [...keyed.inventory.terminals, ...testInventory(1200).terminals]}
const companies = inventory.companies
const input = (terminal: string): EventInput => ({
  kind: 'install',
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

const exportRetail = (since?: number): string =>
  exportHandoff(retail, {
    from: 'retail',
    to: 'nw',
    since,
    privateKeyPem: retailKeys.privateKeyPem,
    publicKeyPem: retailKeys.publicKeyPem,
    now,
  }).text
const opts = {companies, now: later, recipient: 'nw'}
const importNw = (text: string, db = nw): ReturnType<typeof importHandoff> =>
  importHandoff(db, text, retailKeys.publicKeyPem, opts)
const record = (...terminals: string[]): void =>
  void terminals.forEach((t) => recordEvent(retail, inventory, input(t), now))
const recordMany = (n: number): void =>
  void recordEvents(
    retail,
    inventory,
    inventory.terminals
      .filter((t) => t.id.startsWith('X-'))
      .slice(0, n)
      .map((t) => input(t.id)),
    now,
  )
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
const eventRows = (db: LedgerDb): number => (db.prepare('SELECT count(*) AS n FROM events').get() as {n: number}).n
const hasChainTrigger = (db: LedgerDb): boolean =>
  db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = 'events_chain'").get() !== undefined
/** The first problem of the refusal. */
const refusal = (fn: () => unknown): {code: string; message: string; line?: number} => {
  try {
    fn()
  } catch (error) {
    const e = error as {code: string; problems?: {code: string; message: string; line?: number}[]; message: string}
    return e.problems?.[0] ?? e
  }
  throw new Error('not refused')
}
/** The content of a parsed file (everything but the signature block). */
const contentOf = (doc: Record<string, unknown>): Record<string, unknown> => {
  const {signature: _, ...content} = doc
  return content
}

describe('format 3 as written', () => {
  it('names the SHA-256 of the canonical content, and signs the statement of header and digest', () => {
    record('T-001', 'T-002')
    const doc = parse(exportRetail()) as Record<string, any>
    expect(doc.fleet_audit_handoff).toBe(3)
    const digest = sha256(canonicalJson(contentOf(doc)))
    expect(doc.signature).toMatchObject({algorithm: 'ed25519', key: retailKeys.fingerprint, content_sha256: digest})
    const statement = handoffStatement(doc as never, digest)
    expect(Object.keys(JSON.parse(statement))).toEqual(HANDOFF_STATEMENT_FIELDS.map((f) => f.name).sort())
    expect(JSON.parse(statement)).toMatchObject({
      fleet_audit_handoff: 3,
      type: 'events',
      issuer: 'retail',
      recipient: 'nw',
      first_seq: 1,
      last_seq: 2,
      count: 2,
      prev_hash: null,
      last_hash: doc.last_hash,
      content_sha256: digest,
    })
    const publicKey = createPublicKey(retailKeys.publicKeyPem)
    const value = Buffer.from(doc.signature.value, 'base64')
    expect(verify(null, Buffer.from(statement), publicKey, value)).toBe(true)
    // Not over the content itself, as format 2 signed.
    expect(verify(null, Buffer.from(canonicalJson(contentOf(doc))), publicKey, value)).toBe(false)
  })
})

describe('the one-pass import', () => {
  it('imports a sound list of 1,200 events as it reads it: the rows the full reader writes, the guard back', () => {
    recordMany(1200)
    const text = exportRetail()
    expect(importStreaming(nw, text, () => retailKeys.publicKeyPem, opts)).toMatchObject({
      added: 1200,
      status: 'imported',
      last_seq: 1200,
    })
    expect(hasChainTrigger(nw)).toBe(true)
    const other = openLedger(join(dir, 'other.sqlite'))
    try {
      expect(importHandoff(other, parseHandoff(text), retailKeys.publicKeyPem, opts)).toMatchObject({added: 1200})
      expect(listEvents(nw)).toEqual(listEvents(other))
    } finally {
      other.close()
    }
    expect(verifyLedger(nw, {companies}).problems).toEqual([])
    // A re-import changes nothing (the full reader's path records it without rows).
    expect(importNw(text)).toMatchObject({added: 0, status: 'unchanged'})
  })

  it('reads a format-2 list in one pass too', () => {
    record('T-001', 'T-002')
    const doc = parse(exportRetail()) as Record<string, any>
    doc.fleet_audit_handoff = 2
    const content = contentOf(doc)
    doc.signature = signHandoff(
      content as never,
      {bytes: canonicalJson(content)},
      createPrivateKey(retailKeys.privateKeyPem),
    )
    expect(importStreaming(nw, stringify(doc), () => retailKeys.publicKeyPem, opts)).toMatchObject({added: 2})
  })

  it('writes nothing for a list with anything amiss; the full reader then names it with its position', () => {
    recordMany(1200)
    const text = exportRetail()
    const last = text.lastIndexOf('terminal: X-001199')
    const cases: [name: string, text: string, code: string, key?: string][] = [
      [
        'an event altered near the end',
        text.slice(0, last) + text.slice(last).replace('X-001199', 'X-001198'),
        'E_HANDOFF_ALTERED',
      ],
      ['cut before the signature', text.slice(0, text.lastIndexOf('signature:')), 'E_HANDOFF_SIGNATURE'],
      [
        'a value of the wrong shape in the last event',
        text.slice(0, last) + text.slice(last).replace('role: retail', 'role: boss'),
        'E_HANDOFF_FORMAT',
      ],
      ['another key', text, 'E_HANDOFF_SIGNATURE', nwKeys.publicKeyPem],
    ]
    for (const [name, bad, code, key = retailKeys.publicKeyPem] of cases) {
      expect(
        importStreaming(nw, bad, () => key, opts),
        name,
      ).toBeUndefined()
      expect([name, eventRows(nw), hasChainTrigger(nw)]).toEqual([name, 0, true])
      const refused = refusal(() => importHandoff(nw, bad, key, opts))
      expect([name, refused.code]).toEqual([name, code])
      if (code !== 'E_HANDOFF_SIGNATURE') expect(refused.line, name).toBeGreaterThan(1000)
      expect([name, eventRows(nw)]).toEqual([name, 0])
    }
  })

  it('all or nothing across lists: a refused second list takes the first, streamed, back with it', () => {
    recordMany(1200)
    const first = exportRetail()
    record('T-001')
    const second = exportRetail().replace('terminal: T-001', 'terminal: T-002')
    expect(() =>
      nw
        .transaction(() => {
          importNw(first)
          importNw(second)
        })
        .immediate(),
    ).toThrow(/altered/)
    expect([eventRows(nw), hasChainTrigger(nw)]).toEqual([0, true])
    expect(importNw(first)).toMatchObject({added: 1200})
  })
})

describe('downgrade and splice attempts are refused', () => {
  /** Each attempt is refused by the import and by every reader of hand-off files (verify, evidence, diff). */
  function refused(text: string): {code: string; message: string} {
    const imported = refusal(() => importNw(text))
    expect(eventRows(nw)).toBe(0)
    expect(refusal(() => readHandoff(text, retailKeys.publicKeyPem)).code).toBe(imported.code)
    const path = join(dir, 'attempt.yaml')
    writeFileSync(path, text)
    expect(() => loadHandoffFiles([path], companies)).toThrow()
    return imported
  }

  it('a format-3 list relabelled 2 (its signature then covers nothing it claims to)', () => {
    record('T-001', 'T-002')
    const doc = parse(exportRetail()) as Record<string, any>
    doc.fleet_audit_handoff = 2
    const kept = refused(stringify(doc))
    expect(kept.message).toContain('content_sha256')
    delete doc.signature.content_sha256
    expect(refused(stringify(doc))).toMatchObject({
      code: 'E_HANDOFF_SIGNATURE',
      message: expect.stringMatching(/altered after retail signed it/),
    })
  })

  it('a format-2 list relabelled 3, with the digest of its content added', () => {
    record('T-001', 'T-002')
    const doc = parse(exportRetail()) as Record<string, any>
    doc.fleet_audit_handoff = 2
    delete doc.signature
    doc.signature = signHandoff(doc as never, {bytes: canonicalJson(doc)}, createPrivateKey(retailKeys.privateKeyPem))
    const v2 = openLedger(join(dir, 'v2.sqlite'))
    expect(importStreaming(v2, stringify(doc), () => retailKeys.publicKeyPem, opts)).toMatchObject({added: 2})
    v2.close()
    doc.fleet_audit_handoff = 3
    doc.signature = {...doc.signature, content_sha256: sha256(canonicalJson(contentOf(doc)))}
    expect(refused(stringify(doc)).code).toBe('E_HANDOFF_SIGNATURE')
  })

  it('a format-3 list without its digest', () => {
    record('T-001')
    const doc = parse(exportRetail()) as Record<string, any>
    delete doc.signature.content_sha256
    expect(refused(stringify(doc))).toMatchObject({
      code: 'E_HANDOFF_FORMAT',
      message: 'signature: missing content_sha256',
    })
  })

  it("one list's statement on another list's content, and an altered list with its digest recomputed", () => {
    record('T-001', 'T-002')
    const a = parse(exportRetail()) as Record<string, any>
    record('T-003')
    const b = parse(exportRetail(1)) as Record<string, any>
    // B's content under A's signature block (statement and digest of A).
    expect(refused(stringify({...b, signature: a.signature})).code).toBe('E_HANDOFF_SIGNATURE')
    // A's header and signature with B's events and heads: the digest names A's content.
    expect(refused(stringify({...a, events: b.events.slice(0, 2), heads: b.heads})).code).toBe('E_HANDOFF_SIGNATURE')
    // A's events re-addressed, with the digest of what was changed: the signed statement names the old digest.
    for (const edit of [
      (d: Record<string, any>) => void (d.recipient = 'ctr'),
      (d: Record<string, any>) => void (d.created_at = '2026-11-29T00:00:00.000Z'),
      (d: Record<string, any>) => void (d.events[1].note = 'added later'),
    ]) {
      const doc = structuredClone(a)
      edit(doc)
      doc.signature.content_sha256 = sha256(canonicalJson(contentOf(doc)))
      expect(refused(stringify(doc)).code).toMatch(/E_HANDOFF_(SIGNATURE|ALTERED|RECIPIENT)/)
    }
  })
})

describe('lists kept in the database', () => {
  it('a format-3 import is rebuilt as format 3 and a format-2 import as format 2; both verify', () => {
    record('T-001', 'T-002')
    const v3 = exportRetail()
    importNw(v3)
    record('T-003')
    const doc = parse(exportRetail()) as Record<string, any>
    doc.fleet_audit_handoff = 2
    const content = contentOf(doc)
    doc.signature = signHandoff(
      content as never,
      {bytes: canonicalJson(content)},
      createPrivateKey(retailKeys.privateKeyPem),
    )
    importNw(stringify(doc))
    const kept = keptHandoffs(nw)
    expect(kept.map((k) => parseHandoff(k.text).content.fleet_audit_handoff)).toEqual([3, 2])
    for (const k of kept) expect(readHandoff(k.text, retailKeys.publicKeyPem).records.length).toBeGreaterThan(0)
    expect(parseHandoff(kept[0].text).signature).toEqual(parseHandoff(v3).signature)
  })
})
