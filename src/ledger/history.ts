import type {Finding, Severity, Terminal} from '../model/types.js'
import {ledgerError} from './errors.js'
import {prepare, type LedgerDb} from './store.js'
import {toIso} from '../io/time.js'

/** One audit run to store. */
export interface RunInput {
  startedAt: Date | string
  finishedAt?: Date | string
  /** The inventory file or folder audited. */
  inventoryRoot: string
  findings: readonly Finding[]
  /** The facts documents the run used (each with a `terminal`, ideally `collected_at` and `outcome`). */
  facts: readonly unknown[]
  /** The declared terminals, so `history --terminal --at` can show where a terminal was declared. */
  terminals?: readonly Terminal[]
  /** Anything else worth keeping (flags, versions), as JSON. */
  meta?: Record<string, unknown>
}

/** A stored run. */
export interface RunSummary {
  id: number
  started_at: string
  finished_at: string | null
  inventory_root: string
  finding_count: number
  by_severity: Partial<Record<Severity, number>>
}

/** What changed between two runs, findings keyed by rule + terminal. */
export interface RunDiff {
  from: number
  to: number
  new: Finding[]
  resolved: Finding[]
  unchanged: number
}

/** Stores a run with its findings, facts and declared terminals in one transaction; returns its id. */
export function recordRun(db: LedgerDb, run: RunInput): number {
  const write = db.transaction((): number => {
    const {lastInsertRowid} = prepare(
      db,
      `INSERT INTO runs (started_at, finished_at, inventory_root, finding_count, meta) VALUES (@started_at, @finished_at, @inventory_root, @finding_count, @meta)`,
    ).run({
      started_at: toIso(run.startedAt),
      finished_at: run.finishedAt === undefined ? null : toIso(run.finishedAt),
      inventory_root: run.inventoryRoot,
      finding_count: run.findings.length,
      meta: run.meta === undefined ? null : JSON.stringify(run.meta),
    })
    const id = Number(lastInsertRowid)
    const finding = prepare(
      db,
      `INSERT INTO run_findings (run_id, rule, terminal, severity, waived, finding) VALUES (@id, @rule, @terminal, @severity, @waived, @json)`,
    )
    for (const f of run.findings)
      finding.run({
        id,
        rule: f.rule,
        terminal: f.terminal,
        severity: f.severity,
        waived: f.waiver ? 1 : 0,
        json: JSON.stringify(f),
      })
    const fact = prepare(
      db,
      `INSERT INTO run_facts (run_id, ordinal, terminal, collected_at, outcome, facts) VALUES (@id, @ordinal, @terminal, @collected_at, @outcome, @json)`,
    )
    run.facts.forEach((doc, ordinal) => {
      const d = (doc ?? {}) as Record<string, unknown>
      const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
      fact.run({
        id,
        ordinal,
        terminal: str(d.terminal),
        collected_at: str(d.collected_at),
        outcome: str(d.outcome),
        json: JSON.stringify(doc ?? null),
      })
    })
    const terminal = prepare(
      db,
      `INSERT INTO run_terminals (run_id, terminal, declared) VALUES (@id, @terminal, @json)`,
    )
    for (const t of run.terminals ?? []) terminal.run({id, terminal: t.id, json: JSON.stringify(t)})
    return id
  })
  return write.immediate()
}

/** Runs, newest first. */
export function listRuns(db: LedgerDb, options: {limit?: number} = {}): RunSummary[] {
  const runs = prepare<[number], Omit<RunSummary, 'by_severity'>>(
    db,
    'SELECT id, started_at, finished_at, inventory_root, finding_count FROM runs ORDER BY started_at DESC, id DESC LIMIT ?',
  ).all(options.limit ?? -1)
  const counts = prepare<[number], {severity: Severity; n: number}>(
    db,
    'SELECT severity, count(*) AS n FROM run_findings WHERE run_id = ? GROUP BY severity',
  )
  return runs.map((r) => ({...r, by_severity: Object.fromEntries(counts.all(r.id).map((c) => [c.severity, c.n]))}))
}

/** The findings of a run. */
export function runFindings(db: LedgerDb, runId: number): Finding[] {
  return prepare<[number], {finding: string}>(
    db,
    'SELECT finding FROM run_findings WHERE run_id = ? ORDER BY terminal, rule',
  )
    .all(runId)
    .map((r) => JSON.parse(r.finding) as Finding)
}

/** New and resolved findings from run `a` to run `b`, keyed by rule + terminal. */
export function diffRuns(db: LedgerDb, a: number, b: number): RunDiff {
  const exists = prepare<[number], {id: number}>(db, 'SELECT id FROM runs WHERE id = ?')
  const missing = [a, b].filter((id) => !exists.get(id))
  if (missing.length > 0) {
    const range = prepare<[], {lo: number | null; hi: number | null}>(
      db,
      'SELECT MIN(id) AS lo, MAX(id) AS hi FROM runs',
    ).get()!
    throw ledgerError(
      'E_REF',
      `--diff: no run ${missing.join(' or ')} in this database (${range.lo === null ? 'no runs are stored' : `runs ${range.lo}..${range.hi} are stored`})`,
      {
        file: db.name,
        hint: '`fleet-audit history` lists the runs',
      },
    )
  }
  const key = (f: Finding): string => `${f.rule}\u0000${f.terminal}`
  const before = new Map(runFindings(db, a).map((f) => [key(f), f]))
  const after = new Map(runFindings(db, b).map((f) => [key(f), f]))
  return {
    from: a,
    to: b,
    new: [...after].filter(([k]) => !before.has(k)).map(([, f]) => f),
    resolved: [...before].filter(([k]) => !after.has(k)).map(([, f]) => f),
    unchanged: [...after.keys()].filter((k) => before.has(k)).length,
  }
}

/** A terminal as the last run at or before a date saw it. */
export interface TerminalAt {
  run: RunSummary | undefined
  declared: Terminal | undefined
  facts: unknown
  findings: Finding[]
}

/** The last run started at or before `at`, with the terminal's declaration, facts and findings in that run. */
export function terminalAt(db: LedgerDb, terminal: string, at: Date | string): TerminalAt {
  const run = prepare<[string], {id: number}>(
    db,
    'SELECT id FROM runs WHERE started_at <= ? ORDER BY started_at DESC, id DESC LIMIT 1',
  ).get(toIso(at))
  if (!run) return {run: undefined, declared: undefined, facts: undefined, findings: []}
  const summary = listRuns(db).find((r) => r.id === run.id)
  const declared = prepare<[number, string], {declared: string}>(
    db,
    'SELECT declared FROM run_terminals WHERE run_id = ? AND terminal = ?',
  ).get(run.id, terminal)
  const facts = prepare<[number, string], {facts: string}>(
    db,
    'SELECT facts FROM run_facts WHERE run_id = ? AND terminal = ? ORDER BY ordinal DESC LIMIT 1',
  ).get(run.id, terminal)
  return {
    run: summary,
    declared: declared ? (JSON.parse(declared.declared) as Terminal) : undefined,
    facts: facts ? JSON.parse(facts.facts) : undefined,
    findings: runFindings(db, run.id).filter((f) => f.terminal === terminal),
  }
}
