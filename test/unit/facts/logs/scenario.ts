/**
 * Small inventories with generated access logs for the log rules, reviewed in-process with the real engine.
 * `baseLogInventory()` and `baseLogs()` raise no finding; each case adds the rows (or declarations) it is about.
 */
import {type AuditResult} from '../../../../src/model/result.js'
import {appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {DuckDBInstance} from '@duckdb/node-api'
import {stringify} from 'yaml'

import {loadInventory} from '../../../../src/inventory/load.js'
import {generateLogs, type GenerateLogsOptions, type GeneratedRow} from '../../../../src/facts/logs/generate.js'
import {runLogReview} from '../../../../src/app/logs-start.js'
import {builtinRulePacks} from '../../scenario.js'
import type {Rule} from '../../../../src/rules/types.js'

export type Json = Record<string, any>

export const FROM = '2026-03-25'
export const TO = '2026-04-07'
export const NOW = new Date('2026-04-10T12:00:00Z')
export const OWN = Array.from({length: 10}, (_, i) => `0300000000000000000${String(100 + i)}`)
export const COMPETITOR = Array.from({length: 10}, (_, i) => `0300000000000000000${String(200 + i)}`)

/** nw and nw-con are NW side; ep and tmp retail. s1 has an NW office, a shared counter, a retail office and a disaster desk. */
export function baseLogInventory(): Json {
  return {
    companies: [
      {id: 'nw', name: 'Grid NW', side: 'nw'},
      {id: 'nw-con', name: 'NW contractor', side: 'nw'},
      {id: 'ep', name: 'Retail', side: 'retail'},
      {id: 'tmp', name: 'Retail temp staff', side: 'retail'},
    ],
    people: [
      {id: 'p-nw', name: 'NW One', company: 'nw', log_ids: ['N1']},
      {id: 'p-nw2', name: 'NW Two', company: 'nw', log_ids: ['N2']},
      {id: 'p-ep', name: 'Retail One', company: 'ep', log_ids: ['R1']},
    ],
    sites: [
      {
        id: 's1',
        name: 'Site One',
        zones: [
          {id: 'z-nw', name: 'NW office', kind: 'office', access: ['nw', 'nw-con']},
          {id: 'z-shared', name: 'Counter', kind: 'counter', access: ['nw', 'ep']},
          {id: 'z-retail', name: 'Retail office', kind: 'office', access: ['ep', 'tmp']},
          {id: 'z-dr', name: 'Disaster desk', kind: 'disaster-reception', access: ['nw', 'ep']},
        ],
      },
      {id: 's2', name: 'Site Two', zones: [{id: 'z2', name: 'NW office 2', kind: 'office', access: ['nw']}]},
    ],
    terminals: [
      {id: 'T-NW', hostname: 't-nw', site: 's1', zone: 'z-nw', owner: 'nw', role: 'nw'},
      {id: 'T-RT', hostname: 't-rt', site: 's1', zone: 'z-retail', owner: 'ep', role: 'retail'},
      {id: 'T-NW2', hostname: 't-nw2', site: 's2', zone: 'z2', owner: 'nw', role: 'nw'},
    ],
    retailers: [
      {id: 'r-own', name: 'Own retail', company: 'ep'},
      {id: 'r-comp', name: 'Competitor'},
    ],
    supply_points: [
      ...OWN.map((id) => ({id, retailer: 'r-own'})),
      ...COMPETITOR.map((id) => ({id, retailer: 'r-comp'})),
    ],
    policy: {timezone: 'Asia/Tokyo'},
  }
}

export const ASSIGN: Record<string, string[]> = {'T-NW': ['p-nw'], 'T-RT': ['p-ep'], 'T-NW2': ['p-nw2']}

export function mapping(over: Json = {}): Json {
  return {
    version: 1,
    source: 'src',
    files: ['logs/*.csv'],
    format: 'csv',
    encoding: 'utf-8',
    timestamp: {format: '%Y/%m/%d %H:%M:%S', zone: 'Asia/Tokyo'},
    fields: {
      time: '日時',
      terminal: '端末ID',
      setting: '端末設定',
      user: '利用者ID',
      action: '操作',
      supply_point: '供給地点特定番号',
      unmasked: '表示項目',
      records: '件数',
    },
    values: {
      setting: {NW: 'nw', 小売: 'retail'},
      action: {照会: 'view', 検索: 'search', 印刷: 'print', 出力: 'export', ログイン: 'login'},
    },
    ...over,
  }
}

const dirs: string[] = []
export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
}

/** A scenario folder: inventory.yaml, mapping.yaml, logs/. */
export interface Scenario {
  dir: string
  inventory: string
  mapping: string
  logs: string
}

export async function writeScenario(
  inv: Json,
  options: {extra?: GeneratedRow[]; gen?: Partial<GenerateLogsOptions>; mapping?: Json} = {},
): Promise<Scenario> {
  const dir = mkdtempSync(join(tmpdir(), 'fa-logs-'))
  dirs.push(dir)
  const s = {dir, inventory: join(dir, 'inventory.yaml'), mapping: join(dir, 'mapping.yaml'), logs: join(dir, 'logs')}
  writeFileSync(s.inventory, stringify(inv))
  writeFileSync(s.mapping, stringify(options.mapping ?? mapping()))
  mkdirSync(s.logs)
  await generateLogs({
    inventory: await loadInventory(s.inventory),
    from: FROM,
    to: TO,
    seed: 7,
    out: s.logs,
    perTerminalDay: 8,
    extra: options.extra,
    assign: ASSIGN,
    ...options.gen,
  })
  return s
}

/** Runs statements in a throwaway in-memory engine (e.g. `COPY … TO 'x.parquet'` to write a Parquet export). */
export async function runEngine(...statements: string[]): Promise<void> {
  const db = await DuckDBInstance.create(':memory:')
  const c = await db.connect()
  try {
    for (const sql of statements) await c.run(sql)
  } finally {
    c.closeSync()
    db.closeSync()
  }
}

/** Reviews a scenario in-process. */
export async function review(
  s: Scenario,
  options: {
    from?: string
    to?: string
    db?: string
    show?: boolean
    supplyPointEnumMax?: number
    travelPairBudget?: number
    /** The rules to run (a rule pack's with the built-in ones, see loadRules); the built-in ones by default. */
    rules?: Rule[]
  } = {},
): Promise<AuditResult> {
  return runLogReview(
    {
      inventory: s.inventory,
      failOn: 'high',
      ledger: {db: options.db},
      logs: {
        mappings: [s.mapping],
        from: options.from ?? FROM,
        to: options.to ?? TO,
        maskKey: 'test-key',
        showSupplyPoints: options.show,
        supplyPointEnumMax: options.supplyPointEnumMax,
        travelPairBudget: options.travelPairBudget,
      },
    },
    // The built-in rule packs, read and compiled once per test file.
    {now: NOW, rules: options.rules ?? (await builtinRulePacks())},
  )
}

export function hits(result: AuditResult): string[] {
  return result.findings.map((f) => `${f.terminal} ${f.rule}`).sort()
}

/** A log row with the usual defaults: NW setting, a view, fields shown, one of the group's own customers. */
export function row(at: string, terminal: string, user: string, over: Partial<GeneratedRow> = {}): GeneratedRow {
  return {at, terminal, user, setting: 'nw', action: 'view', unmasked: true, supply_point: OWN[0], records: 1, ...over}
}

export function appendLine(file: string, line: string): void {
  appendFileSync(file, line)
}

/** A file's lines as they are stored, each with its line ending (the last one without, if the file has none). */
export function linesOf(file: string): Buffer[] {
  const bytes = readFileSync(file)
  const out: Buffer[] = []
  for (let at = 0; at < bytes.length;) {
    const nl = bytes.indexOf(0x0a, at)
    const end = nl === -1 ? bytes.length : nl + 1
    out.push(bytes.subarray(at, end))
    at = end
  }

  return out
}

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
