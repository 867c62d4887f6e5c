/**
 * The two-company trust model, attacked as an insider would: through the real CLI (`bin/run.js`, or the build named
 * by FLEET_AUDIT_BIN, to run the same attacks against an older build) on real SQLite files, tampered with SQL —
 * triggers dropped, rows edited, every hash recomputed, triggers recreated. Each case says what it defends.
 */
import {copyFileSync, cpSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {retailInstallArgs} from '../helpers.js'

import {hashAck, hashEvent} from '../../../src/ledger/hash.js'
import {handoffEntryHash} from '../../../src/ledger/migrations/003-trust.js'
import type {LedgerAck, LedgerEvent} from '../../../src/model/ledger.js'
import {ledgerCli, sqlite, tempDir} from './support.js'

const ROOT = resolve(import.meta.dirname, '..', '..', '..')
let dir: string
let cleanup: () => void

const cli = (...args: string[]) => ledgerCli(dir, ...args)

const ok = async (...args: string[]): Promise<string> => {
  const r = await cli(...args)
  expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0)
  return r.stdout + r.stderr
}

const RETAIL_KEY = 'inv/keys/tohoku-epco.key'
const NW_KEY = 'inv/keys/tohoku-nw.key'
const record = (db: string, terminal: string, at: string): Promise<string> =>
  ok(...retailInstallArgs(['--db', db], terminal, at))

/** A copy of one of the two ledgers built in beforeAll, for one attack. */
function copyOf(name: 'retail' | 'nw', as: string): string {
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(join(dir, `${name}.sqlite${suffix}`)))
      copyFileSync(join(dir, `${name}.sqlite${suffix}`), join(dir, `${as}${suffix}`))
  return as
}

/**
 * The perfect local attacker: drops every trigger, lets `edit` change rows, then re-derives everything a hash
 * covers — each chain's hashes and links, every ack's event_hash, the hand-off records' last hashes and (where the
 * schema has one) their own chain — and recreates the triggers exactly as they were. Only signatures cannot be redone.
 */
function rewrite(file: string, edit: (db: Database.Database) => void): void {
  const db = new Database(join(dir, file))
  const triggers = db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'trigger'`).all() as {sql: string}[]
  for (const name of db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger'`).all() as {name: string}[])
    db.exec(`DROP TRIGGER "${name.name}"`)
  edit(db)
  const events = db.prepare('SELECT * FROM events ORDER BY issuer, seq').all() as (LedgerEvent & {
    macs: string
    imported_at: string | null
  })[]
  const fresh = new Map<string, string>()
  let prev: string | null = null
  let issuer = ''
  for (const e of events) {
    if (e.issuer !== issuer) [issuer, prev] = [e.issuer, null]
    const {hash: _h, imported_at: _i, ...body} = e
    const hash = hashEvent({...body, macs: JSON.parse(e.macs), prev_hash: prev} as LedgerEvent)
    db.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE issuer = ? AND seq = ?').run(
      prev,
      hash,
      e.issuer,
      e.seq,
    )
    fresh.set(`${e.issuer}#${e.seq}`, hash)
    prev = hash
  }
  const acks = db.prepare('SELECT * FROM acks ORDER BY acker, issuer, seq').all() as (LedgerAck & {
    evidence: string
    imported_at: string | null
  })[]
  let chain = ''
  for (const a of acks) {
    if (`${a.acker}>${a.issuer}` !== chain) [chain, prev] = [`${a.acker}>${a.issuer}`, null]
    const {hash: _h, imported_at: _i, ...body} = a
    const eventHash = fresh.get(`${a.issuer}#${a.event_seq}`) ?? a.event_hash
    const hash = hashAck({
      ...body,
      evidence: JSON.parse(a.evidence),
      event_hash: eventHash,
      prev_hash: prev,
    } as LedgerAck)
    db.prepare(
      'UPDATE acks SET event_hash = ?, prev_hash = ?, hash = ? WHERE acker = ? AND issuer = ? AND seq = ?',
    ).run(eventHash, prev, hash, a.acker, a.issuer, a.seq)
    prev = hash
  }
  const at = (type: string, company: string, about: string, seq: number): string | null =>
    seq === 0
      ? null
      : ((
          (type === 'events'
            ? db.prepare('SELECT hash FROM events WHERE issuer = ? AND seq = ?').get(company, seq)
            : db
                .prepare('SELECT hash FROM acks WHERE acker = ? AND issuer = ? AND seq = ?')
                .get(company, about, seq)) as {hash: string} | undefined
        )?.hash ?? null)
  const handoffs = db.prepare('SELECT * FROM handoffs ORDER BY id').all() as Record<string, unknown>[]
  const chained = handoffs.length > 0 && 'entry_hash' in handoffs[0]
  prev = null
  for (const h of handoffs) {
    const row = {
      ...h,
      last_hash: at(h.type as string, h.issuer as string, h.recipient as string, h.last_seq as number),
      prev_hash: at(h.type as string, h.issuer as string, h.recipient as string, (h.first_seq as number) - 1),
    }
    db.prepare('UPDATE handoffs SET last_hash = ?, prev_hash = ? WHERE id = ?').run(row.last_hash, row.prev_hash, h.id)
    if (chained) {
      const entry = handoffEntryHash({...row, entry_prev: prev})
      db.prepare('UPDATE handoffs SET entry_prev = ?, entry_hash = ? WHERE id = ?').run(prev, entry, h.id)
      prev = entry
    }
  }
  for (const t of triggers) db.exec(t.sql)
  db.close()
}

/** `ledger verify` of one database: the exit code and everything it printed. */
const verify = async (db: string): Promise<{code: number | null; out: string}> => {
  const r = await cli('ledger', 'verify', '--db', db)
  return {code: r.code, out: r.stdout + r.stderr}
}

beforeAll(async () => {
  ;({dir, cleanup} = tempDir())
  cpSync(join(ROOT, 'inventories', 'tohoku-example'), join(dir, 'inv'), {recursive: true})
  // Retail records and hands over two installs; NW imports, re-checks (IS-RT-101 is set to NW: rejected) and acks.
  await record('retail.sqlite', 'IS-RT-103', '2026-11-20T10:00+09:00')
  await record('retail.sqlite', 'IS-RT-101', '2026-11-21T10:00+09:00')
  await ok(
    'ledger',
    'export',
    '--db',
    'retail.sqlite',
    '--from',
    'tohoku-epco',
    '--to',
    'tohoku-nw',
    '--key',
    RETAIL_KEY,
    '-o',
    'h1.yaml',
  )
  await ok('ledger', 'import', 'h1.yaml', '--db', 'nw.sqlite', '--as', 'tohoku-nw')
  expect((await cli('ledger', 'recheck', '--db', 'nw.sqlite', '--as', 'tohoku-nw', '--facts', 'inv/facts')).code).toBe(
    1,
  )
  await ok(
    'ledger',
    'export',
    '--acks',
    '--db',
    'nw.sqlite',
    '--from',
    'tohoku-nw',
    '--to',
    'tohoku-epco',
    '--key',
    NW_KEY,
    '-o',
    'a1.yaml',
  )
  await ok('ledger', 'import', 'a1.yaml', '--db', 'retail.sqlite')
  // Retail's next hand-off carries its signed receipt of NW's acks (#2), which NW keeps.
  await record('retail.sqlite', 'IS-RT-102', '2026-11-22T10:00+09:00')
  await ok(
    'ledger',
    'export',
    '--db',
    'retail.sqlite',
    '--from',
    'tohoku-epco',
    '--to',
    'tohoku-nw',
    '--key',
    RETAIL_KEY,
    '-o',
    'h2.yaml',
  )
  await ok('ledger', 'import', 'h2.yaml', '--db', 'nw.sqlite')
}, 600_000)
afterAll(() => cleanup?.())

describe('verify checks every chain the database holds, acks and hand-off records included (item 2)', () => {
  it('both ledgers are intact before any attack', async () => {
    expect(await verify('retail.sqlite')).toMatchObject({code: 0, out: expect.stringContaining('ledger intact')})
    expect(await verify('nw.sqlite')).toMatchObject({code: 0, out: expect.stringContaining('ledger intact')})
  }, 300_000)

  it("retail turns NW's imported rejection into a verification, every hash recomputed, triggers recreated", async () => {
    const db = copyOf('retail', 'r-ack-edited.sqlite')
    rewrite(db, (d) => d.exec(`UPDATE acks SET state = 'verified', evidence = '[]' WHERE seq = 2`))
    const r = await verify(db)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/acks tohoku-nw → tohoku-epco#2: (edited|forged)/)
    expect(r.out).not.toContain('ledger intact')
  }, 300_000)

  it('NW edits its own ack (state and evidence) after sending it: hashes recomputed, or the hand-off records too', async () => {
    const chainOnly = copyOf('nw', 'n-ack-edited.sqlite')
    const d = new Database(join(dir, chainOnly))
    const ack = d.prepare('SELECT * FROM acks WHERE seq = 2').get() as LedgerAck & {evidence: string; imported_at: null}
    const {hash: _h, imported_at: _i, ...body} = ack
    d.exec('DROP TRIGGER acks_no_update')
    d.prepare(`UPDATE acks SET state = 'verified', evidence = '[]', hash = ? WHERE seq = 2`).run(
      hashAck({...body, evidence: [], state: 'verified'}),
    )
    d.exec(
      `CREATE TRIGGER acks_no_update BEFORE UPDATE ON acks BEGIN SELECT RAISE(ABORT, 'acks are append-only: record a new entry instead of editing one'); END;`,
    )
    d.close()
    const r = await verify(chainOnly)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/acks tohoku-nw → tohoku-epco#2: edited: .*differs from the record handed to tohoku-epco/)

    const everything = copyOf('nw', 'n-ack-rewritten.sqlite')
    rewrite(everything, (db) => db.exec(`UPDATE acks SET state = 'verified', evidence = '[]' WHERE seq = 2`))
    const all = await verify(everything)
    expect(all.code).toBe(1)
    expect(all.out).toMatch(
      /acks tohoku-nw → tohoku-epco#2: edited: seq 2 is not the record tohoku-epco signed on .* as the head of acks tohoku-nw → tohoku-epco/,
    )
  }, 300_000)

  it('NW deletes the last ack of its chain after sending it', async () => {
    const db = copyOf('nw', 'n-ack-deleted.sqlite')
    rewrite(db, (d) => d.exec(`DELETE FROM acks WHERE seq = 2`))
    const r = await verify(db)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/acks tohoku-nw → tohoku-epco#2: deleted/)
  }, 300_000)

  it('retail deletes the first imported ack, leaving a gap', async () => {
    const db = copyOf('retail', 'r-ack-gap.sqlite')
    sqlite(join(dir, db), `DROP TRIGGER acks_no_delete; DELETE FROM acks WHERE seq = 1;`)
    const r = await verify(db)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/acks tohoku-nw → tohoku-epco#1: deleted/)
  }, 300_000)

  it('a hand-off record deleted (hashes of the hand-off chain recomputed) or edited is named', async () => {
    const deleted = copyOf('retail', 'r-handoff-deleted.sqlite')
    rewrite(deleted, (d) => d.exec(`DELETE FROM handoffs WHERE direction = 'in'`))
    const r = await verify(deleted)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(
      /handoffs tohoku-nw#2: deleted: acks tohoku-nw → tohoku-epco up to #2 were imported, but the hand-off records kept here end at #0/,
    )

    const edited = copyOf('nw', 'n-handoff-edited.sqlite')
    sqlite(
      join(dir, edited),
      `CREATE TABLE saved AS SELECT sql FROM sqlite_schema WHERE name = 'handoffs_no_update'; DROP TRIGGER IF EXISTS handoffs_no_update; UPDATE handoffs SET last_seq = 1 WHERE direction = 'out'; DROP TABLE saved;`,
    )
    const e = await verify(edited)
    expect(e.code).toBe(1)
    expect(e.out).toMatch(/handoffs tohoku-nw#2: edited: hand-off record 2 .* does not match its hash/)
  }, 300_000)
})

describe('guards are checked by what they do (item 3)', () => {
  it('a trigger replaced by one with the same name that never fires (WHEN 0) is reported like a missing one', async () => {
    const db = copyOf('retail', 'r-when0.sqlite')
    sqlite(
      join(dir, db),
      `DROP TRIGGER events_no_update; CREATE TRIGGER events_no_update BEFORE UPDATE ON events WHEN 0 BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;`,
    )
    const r = await verify(db)
    expect(r.code).toBe(1)
    expect(r.out).toContain('an UPDATE of events is not refused: trigger events_no_update does not guard the table')
  }, 300_000)
})

describe('signed chain heads (item 4)', () => {
  it("retail rewrites an event it handed over, and everything after it, consistently: NW's signed receipt exposes it", async () => {
    const db = copyOf('retail', 'r-rewritten.sqlite')
    rewrite(db, (d) => d.exec(`UPDATE events SET zone = 'is-retail-office', note = 'never happened' WHERE seq = 1`))
    const r = await verify(db)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(
      /events tohoku-epco#2: edited: seq 2 is not the record tohoku-nw signed on .* as the head of events tohoku-epco/,
    )
  }, 300_000)

  it("NW rewrites the retail chain it imported: retail's signed head exposes it", async () => {
    const db = copyOf('nw', 'n-rewritten.sqlite')
    rewrite(db, (d) => d.exec(`UPDATE events SET role = 'nw' WHERE seq = 2`))
    const r = await verify(db)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/events tohoku-epco#2: edited: seq 2 is not the record tohoku-epco signed/)
  }, 300_000)

  it('stripping the signed heads out of the hand-off records does not help', async () => {
    const db = copyOf('retail', 'r-stripped.sqlite')
    rewrite(db, (d) => {
      d.exec(`UPDATE events SET note = 'never happened' WHERE seq = 1`)
      if (
        (d.prepare(`SELECT count(*) AS n FROM pragma_table_info('handoffs') WHERE name = 'heads'`).get() as {n: number})
          .n > 0
      )
        d.exec(`UPDATE handoffs SET heads = '[]'`)
    })
    const r = await verify(db)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(
      /acks tohoku-nw → tohoku-epco#2: forged: .*no head signed by tohoku-nw vouches for more than #0/,
    )
  }, 300_000)
})

describe('only the other side of the barrier acknowledges (item 1)', () => {
  it("an ack by a retail-side company of retail's own event, inserted into the database, is not counted and is reported", async () => {
    const db = copyOf('retail', 'r-same-side.sqlite')
    const path = join(dir, db)
    const d = new Database(path)
    const event = d.prepare('SELECT hash FROM events WHERE issuer = ? AND seq = 2').get('tohoku-epco') as {hash: string}
    const body = {
      acker: 'retail-contractor-b',
      issuer: 'tohoku-epco',
      seq: 1,
      event_seq: 2,
      event_hash: event.hash,
      state: 'verified' as const,
      evidence: [],
      actor: null,
      checked_at: '2026-11-28T00:00:00.000Z',
      recorded_at: '2026-11-28T00:00:00.000Z',
      note: null,
      prev_hash: null,
    }
    d.prepare(
      `INSERT INTO acks (acker, issuer, seq, event_seq, event_hash, state, evidence, actor, checked_at, recorded_at, note, prev_hash, hash, imported_at) VALUES (?, ?, 1, 2, ?, 'verified', '[]', NULL, ?, ?, NULL, NULL, ?, ?)`,
    ).run(
      body.acker,
      body.issuer,
      body.event_hash,
      body.checked_at,
      body.recorded_at,
      hashAck(body),
      '2026-11-28T00:00:00.000Z',
    )
    d.close()
    const list = await cli('ledger', 'list', '--db', db)
    expect(list.stdout).toMatch(/IS-RT-101 .* rejected by tohoku-nw/)
    expect(list.stdout).not.toContain('retail-contractor-b')
    const r = await verify(db)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(
      /acks retail-contractor-b → tohoku-epco#1: barrier: ack 1 is by retail-contractor-b \(retail\)/,
    )
  }, 300_000)
})

describe('read-only commands never create, and never pass, what is not there (item 7)', () => {
  it('a missing, empty, foreign, truncated or corrupted database is exit 2 naming the path, never created, never exit 3', async () => {
    writeFileSync(join(dir, 'empty.sqlite'), '')
    writeFileSync(join(dir, 'notes.txt'), 'not a database\n'.repeat(100))
    sqlite(join(dir, 'other.sqlite'), 'CREATE TABLE t (x)')
    // A ledger cut in half (a failed copy), and one with garbage over its pages.
    copyOf('nw', 'cut.sqlite')
    sqlite(join(dir, 'cut.sqlite'), 'PRAGMA wal_checkpoint(TRUNCATE)')
    const whole = readFileSync(join(dir, 'cut.sqlite'))
    writeFileSync(join(dir, 'cut.sqlite'), whole.subarray(0, Math.floor(whole.length / 2)))
    const garbled = Buffer.from(whole)
    garbled.fill(0x41, 4096, whole.length)
    writeFileSync(join(dir, 'garbled.sqlite'), garbled)
    const cases: [string[], string][] = [
      ...['typo.sqlite', 'empty.sqlite', 'notes.txt', 'other.sqlite', 'cut.sqlite', 'garbled.sqlite'].map(
        (f): [string[], string] => [['ledger', 'verify'], f],
      ),
      ...['typo.sqlite', 'empty.sqlite', 'garbled.sqlite'].map((f): [string[], string] => [['ledger', 'list'], f]),
      ...['typo.sqlite', 'notes.txt', 'cut.sqlite'].map((f): [string[], string] => [['history'], f]),
    ]
    for (const [command, file] of cases) {
      const r = await cli(...command, '--db', file)
      expect([command.join(' '), file, r.code], r.stdout + r.stderr).toEqual([command.join(' '), file, 2])
      expect(r.stderr).toContain(file)
      expect(r.stdout).not.toContain('intact')
    }
    expect(existsSync(join(dir, 'typo.sqlite'))).toBe(false)
  }, 300_000)
})

describe('history --diff (item 8)', () => {
  it('a run that does not exist is exit 2; --diff A,B and --diff A B both parse', async () => {
    await cli('audit', '--db', 'retail.sqlite', '--facts', 'inv/facts', '--format', 'json')
    await cli('audit', '--db', 'retail.sqlite', '--facts', 'inv/facts', '--format', 'json')
    const missing = await cli('history', '--db', 'retail.sqlite', '--diff', '1', '5')
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringContaining('no run 5 in this database (runs 1..2 are stored)'),
    ])
    expect((await cli('history', '--db', 'retail.sqlite', '--diff', '1,2')).stdout).toContain(
      'run 1 → 2: 0 new, 0 resolved',
    )
    expect((await cli('history', '--db', 'retail.sqlite', '--diff', '1', '2')).stdout).toContain(
      'run 1 → 2: 0 new, 0 resolved',
    )
    const bad = await cli('history', '--db', 'retail.sqlite', '--diff', 'x')
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringContaining('--diff takes two run ids, as --diff A B or --diff A,B'),
    ])
  }, 300_000)
})
