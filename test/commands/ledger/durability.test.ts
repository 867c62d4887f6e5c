import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  exportHandoff,
  generateKeyPair,
  importHandoff,
  listEvents,
  openLedger,
  recordEvents,
  verifyLedger,
} from '../../../src/ledger/index.js'
import {compiledLedger, sqlite, tempDir, testInventory} from './support.js'

// Child processes run the real library (transpiled once) against the same database file.
const CHILD = `
import {readFileSync} from 'node:fs'
const lib = await import(process.env.LEDGER_URL)
const [mode, dbPath, arg] = process.argv.slice(2)
const db = lib.openLedger(dbPath)
if (mode === 'record') {
  const inventory = JSON.parse(readFileSync(process.env.INVENTORY, 'utf8'))
  const now = new Date('2026-11-27T03:00:00Z')
  for (let i = 0; i < Number(arg); i++) {
    const e = lib.recordEvent(db, inventory, {kind: 'install', terminal: 'T-001', issuer: 'retail', actor: 'rt-tanaka', approver: 'rt-ito',
      occurred_at: '2026-11-27T10:00+09:00', note: process.env.WHO + ' ' + i}, now)
    process.stdout.write('committed ' + e.seq + '\\n')
  }
} else if (mode === 'import') {
  // A small page cache makes SQLite write the open transaction to the WAL early, so the kill lands mid-write.
  db.pragma('cache_size = -500')
  const text = readFileSync(arg, 'utf8')
  process.stdout.write('importing\\n')
  const r = lib.importHandoff(db, text, process.env.PUBLIC_KEY, {companies: [{id: 'retail', side: 'retail'}, {id: 'nw', side: 'nw'}], now: new Date('2026-11-28T00:00:00Z')})
  process.stdout.write('imported ' + r.added + '\\n')
}
db.close()
`

const inventory = testInventory(15_000)
const now = new Date('2026-11-27T03:00:00Z')
let dir: string
let cleanup: () => void
let env: NodeJS.ProcessEnv
let script: string

beforeAll(() => {
  ;({dir, cleanup} = tempDir())
  script = join(dir, 'child.mjs')
  writeFileSync(script, CHILD)
  writeFileSync(join(dir, 'inventory.json'), JSON.stringify(testInventory()))
  env = {...process.env, LEDGER_URL: compiledLedger(), INVENTORY: join(dir, 'inventory.json')}
})
afterAll(() => cleanup())

function child(
  args: string[],
  extra: NodeJS.ProcessEnv = {},
): {proc: ChildProcess; lines: string[]; done: Promise<number | null>; stderr: () => string} {
  const proc = spawn(process.execPath, [script, ...args], {env: {...env, ...extra}, stdio: ['ignore', 'pipe', 'pipe']})
  const lines: string[] = []
  let buffer = ''
  let err = ''
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    const parts = buffer.split('\n')
    buffer = parts.pop()!
    lines.push(...parts)
  })
  proc.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const done = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)))
  return {proc, lines, done, stderr: () => err}
}

const until = async (test: () => boolean, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 2))
  }
}

describe('durability', () => {
  it('kill -9 while recording loses no committed event', async () => {
    const path = join(dir, 'record-kill.sqlite')
    openLedger(path).close()
    const c = child(['record', path, '100000'], {WHO: 'a'})
    await until(() => c.lines.length >= 300)
    c.proc.kill('SIGKILL')
    await c.done
    const committed = c.lines.filter((l) => l.startsWith('committed ')).map((l) => Number(l.split(' ')[1]))
    expect(committed.length).toBeGreaterThanOrEqual(300)
    expect(sqlite(path, 'PRAGMA integrity_check').trim()).toBe('ok')
    const db = openLedger(path)
    const seqs = new Set(listEvents(db).map((e) => e.seq))
    for (const seq of committed) expect(seqs.has(seq)).toBe(true)
    expect(verifyLedger(db)).toMatchObject({ok: true, problems: []})
    db.close()
  })

  it('kill -9 in the middle of a bulk import leaves the earlier imports and a consistent database', async () => {
    const keys = generateKeyPair()
    const retail = openLedger(join(dir, 'retail.sqlite'))
    const input = (terminal: string) => ({
      kind: 'install' as const,
      terminal,
      issuer: 'retail',
      actor: 'rt-tanaka',
      approver: 'rt-ito',
      occurred_at: '2026-11-27T10:00+09:00',
    })
    recordEvents(retail, inventory, ['T-001', 'T-002', 'T-003'].map(input), now)
    const small = exportHandoff(retail, {
      from: 'retail',
      to: 'nw',
      privateKeyPem: keys.privateKeyPem,
      publicKeyPem: keys.publicKeyPem,
      now,
    }).text
    recordEvents(
      retail,
      inventory,
      inventory.terminals.slice(4, 15_004).map((t) => input(t.id)),
      now,
    )
    const bulk = join(dir, 'bulk.yaml')
    writeFileSync(
      bulk,
      exportHandoff(retail, {
        from: 'retail',
        to: 'nw',
        privateKeyPem: keys.privateKeyPem,
        publicKeyPem: keys.publicKeyPem,
        now,
      }).text,
    )
    retail.close()

    const path = join(dir, 'nw.sqlite')
    const nw = openLedger(path)
    importHandoff(nw, small, keys.publicKeyPem, {companies: inventory.companies, now})
    nw.close()

    const c = child(['import', path, bulk], {PUBLIC_KEY: keys.publicKeyPem})
    await until(() => c.lines.includes('importing'))
    // Parsing and checking come first; kill once the write transaction is under way (the WAL grows).
    const wal = (): number => {
      try {
        return statSync(path + '-wal').size
      } catch {
        return 0
      }
    }
    const before = wal()
    await until(() => wal() > before + 256 * 1024 || c.stderr() !== '').catch(() => undefined)
    expect(c.stderr()).toBe('')
    c.proc.kill('SIGKILL')
    await c.done
    expect(c.lines.some((l) => l.startsWith('imported'))).toBe(false) // killed before the commit

    expect(sqlite(path, 'PRAGMA integrity_check').trim()).toBe('ok')
    const db = openLedger(path)
    expect(listEvents(db).map((e) => e.seq)).toEqual([1, 2, 3]) // all of the bulk list or none of it: none
    expect(verifyLedger(db)).toMatchObject({ok: true})
    // The interrupted import can simply be run again.
    expect(
      importHandoff(db, readFileSync(bulk, 'utf8'), keys.publicKeyPem, {companies: inventory.companies, now}),
    ).toMatchObject({added: 15_000})
    expect(verifyLedger(db).ok).toBe(true)
    db.close()
  })

  it('two processes recording at once lose nothing (they wait on the busy timeout)', async () => {
    const path = join(dir, 'two.sqlite')
    openLedger(path).close()
    const a = child(['record', path, '150'], {WHO: 'a'})
    const b = child(['record', path, '150'], {WHO: 'b'})
    const [ca, cb] = await Promise.all([a.done, b.done])
    expect([ca, cb, a.stderr(), b.stderr()]).toEqual([0, 0, '', ''])
    const db = openLedger(path)
    const events = listEvents(db)
    expect(events.map((e) => e.seq)).toEqual(Array.from({length: 300}, (_, i) => i + 1))
    expect(events.filter((e) => e.note!.startsWith('a ')).length).toBe(150)
    expect(verifyLedger(db).ok).toBe(true)
    db.close()
  })
})
