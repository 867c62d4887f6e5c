import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {
  exportHandoff,
  generateKeyPair,
  hashEvent,
  importHandoff,
  openLedger,
  recordAck,
  recordEvent,
  verifyLedger,
  type LedgerEvent,
  type VerifyProblem,
} from '../../../src/ledger/index.js'
import {signing, sqlite, tempDir, testInventory} from './support.js'

const now = new Date('2026-11-27T03:00:00Z')
const inventory = testInventory()
const DROP_GUARDS = `DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER events_chain;`

let dir: string
let path: string
let cleanup: () => void
let events: LedgerEvent[]

beforeEach(() => {
  ;({dir, cleanup} = tempDir())
  path = join(dir, 'ledger.sqlite')
  const db = openLedger(path)
  events = ['T-001', 'T-002', 'T-003', 'T-004', 'T-001'].map((terminal, i) =>
    recordEvent(
      db,
      inventory,
      {
        kind: i === 4 ? 'reconfigure' : 'install',
        terminal,
        issuer: 'retail',
        actor: 'rt-tanaka',
        approver: 'rt-ito',
        occurred_at: `2026-11-2${i}T10:00+09:00`,
      },
      now,
    ),
  )
  db.close()
})
afterEach(() => cleanup())

function verify(): {ok: boolean; problems: VerifyProblem[]} {
  const db = openLedger(path)
  try {
    return verifyLedger(db)
  } finally {
    db.close()
  }
}

const q = (v: unknown): string =>
  v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`
function insertSql(e: LedgerEvent): string {
  const row: Record<string, unknown> = {...e, macs: JSON.stringify(e.macs)}
  return `INSERT INTO events (${Object.keys(row).join(', ')}) VALUES (${Object.values(row).map(q).join(', ')});`
}
/** What verify says, without the (expected) report of the dropped triggers. */
const found = (problems: VerifyProblem[]): [number | undefined, string][] =>
  problems.filter((p) => p.kind !== 'guard-missing').map((p) => [p.seq, p.kind])

describe('verifyLedger against edits made with the sqlite3 command-line tool', () => {
  it('an untouched ledger verifies', () => {
    const result = verify()
    expect(result.problems).toEqual([])
    expect(result.ok).toBe(true)
  })

  it('the triggers stop a plain UPDATE or DELETE from the sqlite3 tool', () => {
    expect(() => sqlite(path, `UPDATE events SET zone = 'hachinohe-counter' WHERE seq = 3`)).toThrow(/append-only/)
    expect(() => sqlite(path, `DELETE FROM events WHERE seq = 3`)).toThrow(/append-only/)
    expect(verify().ok).toBe(true)
  })

  it('reports the dropped triggers themselves', () => {
    sqlite(path, DROP_GUARDS)
    const {ok, problems} = verify()
    expect(ok).toBe(false)
    const messages = problems.map((p) => p.message)
    for (const name of ['events_no_update', 'events_no_delete', 'events_chain'])
      expect(messages).toContainEqual(expect.stringContaining(`trigger ${name} is missing`))
    expect(messages).toContainEqual(expect.stringContaining('an UPDATE of events is not refused'))
    expect(problems.every((p) => p.kind === 'guard-missing')).toBe(true)
  })

  it('catches an edited record by its seq', () => {
    sqlite(path, `${DROP_GUARDS} UPDATE events SET zone = 'hachinohe-counter', site = 'hachinohe' WHERE seq = 3;`)
    const {problems} = verify()
    expect(found(problems)).toEqual([[3, 'edited']])
    expect(problems.at(-1)!.message).toBe('seq 3: the content does not match its hash (edited)')
  })

  it('catches an edited record whose hash was recomputed', () => {
    const forged = {...events[2], zone: 'hachinohe-counter'}
    sqlite(
      path,
      `${DROP_GUARDS} UPDATE events SET zone = 'hachinohe-counter', hash = '${hashEvent(forged)}' WHERE seq = 3;`,
    )
    const {problems} = verify()
    expect(found(problems)).toEqual([[3, 'edited']])
    expect(problems.at(-1)!.message).toMatch(/seq 3 was replaced/)
  })

  it('catches a deleted record', () => {
    sqlite(path, `${DROP_GUARDS} DELETE FROM events WHERE seq = 3;`)
    const {problems} = verify()
    expect(found(problems)).toEqual([[3, 'deleted']])
  })

  it('catches a deleted record when the later ones were renumbered to hide the gap', () => {
    sqlite(
      path,
      `${DROP_GUARDS} DELETE FROM events WHERE seq = 3; UPDATE events SET seq = seq + 1000 WHERE seq > 3; UPDATE events SET seq = seq - 1001 WHERE seq > 1000;`,
    )
    const {problems} = verify()
    expect(found(problems)).toContainEqual([3, 'deleted'])
    expect(problems.find((p) => p.kind === 'deleted')!.message).toMatch(/originally seq 3/)
  })

  it('catches an inserted record, even one with a correct hash and link', () => {
    const forged: LedgerEvent = {
      ...events[2],
      seq: 3,
      terminal: 'T-004',
      note: 'backdated',
      prev_hash: events[1].hash,
      hash: '',
    }
    forged.hash = hashEvent(forged)
    sqlite(
      path,
      `${DROP_GUARDS} UPDATE events SET seq = seq + 1000 WHERE seq >= 3; UPDATE events SET seq = seq - 999 WHERE seq > 1000; ${insertSql(forged)}`,
    )
    const {problems} = verify()
    expect(found(problems)).toContainEqual([3, 'inserted'])
    expect(problems.find((p) => p.kind === 'inserted')!.message).toBe('seq 3 was inserted (seq 4 links to seq 2)')
  })

  it('catches reordered records', () => {
    sqlite(
      path,
      `${DROP_GUARDS} UPDATE events SET seq = 1002 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 4; UPDATE events SET seq = 4 WHERE seq = 1002;`,
    )
    const {problems} = verify()
    const named = found(problems)
    expect(named).toContainEqual([2, 'reordered'])
    expect(named).toContainEqual([4, 'reordered'])
    expect(named.every(([, kind]) => kind === 'reordered')).toBe(true)
    expect(problems.map((p) => p.message)).toContain(
      'seq 2 holds the record that was seq 4 (reordered, or renumbered around an insert or delete)',
    )
  })

  it('export refuses to sign a range that does not verify', () => {
    sqlite(path, `${DROP_GUARDS} UPDATE events SET note = 'tampered' WHERE seq = 4;`)
    const db = openLedger(path)
    try {
      expect(() => exportHandoff(db, {from: 'retail', to: 'nw', ...signing(generateKeyPair()), now})).toThrow(
        expect.objectContaining({
          code: 'E_LEDGER_TAMPERED',
          message: expect.stringContaining("retail's events seq 4 does not verify"),
        }),
      )
    } finally {
      db.close()
    }
  })

  it('catches the deletion of the last record once it was handed off', () => {
    const db = openLedger(path)
    exportHandoff(db, {from: 'retail', to: 'nw', ...signing(generateKeyPair()), now})
    db.close()
    sqlite(path, `${DROP_GUARDS} DELETE FROM events WHERE seq = 5;`)
    const {problems} = verify()
    expect(found(problems)).toEqual([[5, 'deleted']])
    expect(problems.at(-1)!.message).toMatch(/seq 5 was handed to nw on .* but is missing/)
  })

  it('catches an acknowledged event that was swapped for another version', () => {
    // The NW side keeps retail's imported chain; its acks pin each event's hash.
    const nwPath = join(dir, 'nw.sqlite')
    const nw = openLedger(nwPath)
    const retail = openLedger(path)
    const pair = generateKeyPair()
    importHandoff(
      nw,
      exportHandoff(retail, {
        from: 'retail',
        to: 'nw',
        privateKeyPem: pair.privateKeyPem,
        publicKeyPem: pair.publicKeyPem,
        now,
      }).text,
      pair.publicKeyPem,
      {companies: inventory.companies, now},
    )
    recordAck(nw, inventory, {acker: 'nw', event: events[4], findings: []}, now)
    retail.close()
    nw.close()
    const forged = {...events[4], zone: 'hachinohe-counter'}
    sqlite(
      nwPath,
      `${DROP_GUARDS} UPDATE events SET zone = 'hachinohe-counter', hash = '${hashEvent(forged)}' WHERE seq = 5;`,
    )
    const db = openLedger(nwPath)
    const result = verifyLedger(db)
    db.close()
    expect(found(result.problems)).toContainEqual([5, 'edited'])
    expect(result.problems.map((p) => p.message)).toContain(
      "event 5 is not the record that nw's ack 1 acknowledged (edited or replaced)",
    )
  })
})
