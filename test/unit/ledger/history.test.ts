import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {
  ackStateFor,
  diffRuns,
  ledgerView,
  listRuns,
  openLedger,
  recordEvent,
  recordRun,
  runFindings,
  terminalAt,
  type LedgerDb,
} from '../../../src/ledger/index.js'
import type {Finding, Severity} from '../../../src/model/types.js'
import {tempDir, testInventory} from '../../commands/ledger/support.js'

const finding = (rule: string, terminal: string, severity: Severity = 'high'): Finding => ({
  rule,
  severity,
  terminal,
  message: {en: rule, ja: rule},
  location: {file: 'i.yaml', line: 1, column: 1},
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

describe('history', () => {
  it('stores runs with findings, facts and declarations, lists them newest first and diffs two', () => {
    const inventory = testInventory()
    const a = recordRun(db, {
      startedAt: new Date('2026-11-01T00:00:00Z'),
      inventoryRoot: 'inventories/tohoku',
      findings: [finding('placement/nw-in-shared', 'T-004', 'critical'), finding('auth/idcard', 'T-001')],
      facts: [{terminal: 'T-001', collected_at: '2026-11-01T00:00:00Z', outcome: 'ok', client: {role: 'retail'}}],
      terminals: inventory.terminals,
    })
    const b = recordRun(db, {
      startedAt: '2026-11-08T00:00:00Z',
      inventoryRoot: 'inventories/tohoku',
      findings: [finding('auth/idcard', 'T-001'), finding('auth/idcard', 'T-002', 'medium')],
      facts: [],
    })
    expect(listRuns(db).map((r) => [r.id, r.finding_count, r.by_severity])).toEqual([
      [b, 2, {high: 1, medium: 1}],
      [a, 2, {critical: 1, high: 1}],
    ])
    expect(listRuns(db, {limit: 1})).toHaveLength(1)
    const diff = diffRuns(db, a, b)
    expect(diff.new.map((f) => [f.rule, f.terminal])).toEqual([['auth/idcard', 'T-002']])
    expect(diff.resolved.map((f) => [f.rule, f.terminal])).toEqual([['placement/nw-in-shared', 'T-004']])
    expect(diff.unchanged).toBe(1)
    expect(runFindings(db, a)[0]).toEqual(finding('auth/idcard', 'T-001'))

    const at = terminalAt(db, 'T-001', '2026-11-05T00:00:00Z')
    expect(at.run?.id).toBe(a)
    expect(at.declared).toMatchObject({id: 'T-001', zone: 'sendai-retail'})
    expect(at.facts).toMatchObject({outcome: 'ok', client: {role: 'retail'}})
    expect(at.findings.map((f) => f.rule)).toEqual(['auth/idcard'])
    expect(terminalAt(db, 'T-001', '2026-10-01T00:00:00Z').run).toBeUndefined()
  })
})

describe('ackStateFor', () => {
  it.each([
    [[], 'high', 'verified'],
    [[finding('x', 'T', 'medium')], 'high', 'verified'],
    [[finding('x', 'T', 'high')], 'high', 'rejected'],
    [[finding('x', 'T', 'critical')], 'high', 'rejected'],
    [[finding('x', 'T', 'medium')], 'medium', 'rejected'],
    [
      [{...finding('x', 'T', 'critical'), waiver: {id: 'w1', expires: '2027-01-01', approver: 'nw-sato'}}],
      'high',
      'verified',
    ],
  ] as const)('%j at %s → %s', (findings, failOn, state) => {
    expect(ackStateFor(findings as unknown as Finding[], failOn)).toBe(state)
  })
})

describe('ledgerView', () => {
  it('is a frozen snapshot of events per terminal, oldest first', () => {
    const inventory = testInventory()
    const base = {kind: 'install' as const, issuer: 'retail', actor: 'rt-tanaka', approver: 'rt-ito'}
    const now = new Date('2026-11-27T03:00:00Z')
    recordEvent(
      db,
      inventory,
      {...base, terminal: 'T-004', occurred_at: '2026-11-20T09:00+09:00', site: 'sendai', zone: 'sendai-training'},
      now,
    )
    recordEvent(db, inventory, {...base, terminal: 'T-001', occurred_at: '2026-11-21T09:00+09:00'}, now)
    // Recorded later but happened earlier: a terminal's events are in the order they happened.
    recordEvent(db, inventory, {...base, kind: 'move', terminal: 'T-004', occurred_at: '2026-11-26T09:00+09:00'}, now)
    recordEvent(db, inventory, {...base, kind: 'reconfigure', terminal: 'T-004', occurred_at: '2026-11-19T23:00Z'}, now)
    const view = ledgerView(db)
    expect(view.source).toBe('database')
    expect(view.byTerminal['T-004'].map((e) => e.seq)).toEqual([4, 1, 3])
    expect(view.chains).toEqual([{issuer: 'retail', first_seq: 1, last_seq: 4, last_hash: view.events[3].hash}])
    expect(Object.isFrozen(view.events[0])).toBe(true)
    expect(() => (view.events as unknown[]).push(1)).toThrow()
  })
})
