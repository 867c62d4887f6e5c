/**
 * Builds small inventories and facts folders on disk for rule tests, and audits them in-process.
 * Start from `baseInventory()` (two correctly placed terminals) and `okFacts(id)`, change what the case needs.
 */
import {type AuditResult, type FailOn} from '../../src/model/result.js'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {stringify} from 'yaml'

import {runAudit} from '../../src/app/audit.js'
import {loadRules} from '../../src/rules/load.js'
import type {Rule} from '../../src/rules/types.js'

import {parseNow} from '../../src/io/time.js'

export type Json = Record<string, any>

export const NOW = '2026-11-27'
/** Yesterday 10:00 in Tokyo: fresh at NOW. */
export const COLLECTED = '2026-11-26T10:00:00+09:00'
export const KEY_A = `SHA256:${'A'.repeat(43)}`
export const KEY_B = `SHA256:${'B'.repeat(43)}`

/** nw and nw-con are NW side; ep and rt-con retail. z-nw is NW-only, z-shared and z-training are not. */
export function baseInventory(): Json {
  return {
    companies: [
      {id: 'nw', name: 'Grid NW', side: 'nw'},
      {id: 'nw-con', name: 'NW contractor', side: 'nw'},
      {id: 'ep', name: 'Retail', side: 'retail'},
      {id: 'rt-con', name: 'Retail contractor', side: 'retail'},
    ],
    people: [
      {id: 'p-nw', name: 'NW approver', company: 'nw'},
      {id: 'p-nwc', name: 'NW contractor approver', company: 'nw-con'},
      {id: 'p-ep', name: 'Retail approver', company: 'ep'},
    ],
    sites: [
      {
        id: 's1',
        name: 'Site One',
        subnets: ['10.1.0.0/16', 'fd00:1::/64'],
        zones: [
          {id: 'z-nw', name: 'NW office', kind: 'office', access: ['nw', 'nw-con']},
          {id: 'z-shared', name: 'Counter', kind: 'counter', access: ['nw', 'ep']},
          {id: 'z-training', name: 'Training', kind: 'training', access: ['nw', 'rt-con']},
          {id: 'z-retail', name: 'Retail office', kind: 'office', access: ['ep']},
        ],
      },
      {id: 's2', name: 'Site Two', zones: [{id: 'z2', name: 'Anywhere', kind: 'office', access: ['nw']}]},
    ],
    terminals: [
      {
        id: 'T-NW',
        hostname: 't-nw',
        address: '10.1.0.10',
        site: 's1',
        zone: 'z-nw',
        owner: 'nw',
        role: 'nw',
        serial: 'SN-NW',
        macs: ['00:00:00:00:00:01'],
      },
      {
        id: 'T-RT',
        hostname: 't-rt',
        address: '10.1.0.20',
        site: 's1',
        zone: 'z-retail',
        owner: 'ep',
        role: 'retail',
        serial: 'SN-RT',
        macs: ['00:00:00:00:00:02'],
      },
    ],
    policy: {timezone: 'Asia/Tokyo', freshness_days: 7, max_waiver_days: 90, idcard_required_from: '2027-04-01'},
  }
}

/** Facts that agree with the base declaration of a terminal. */
export function okFacts(inv: Json, id: string, over: Json = {}): Json {
  const t = inv.terminals.find((x: Json) => x.id === id)
  if (!t) throw new Error(`no terminal ${id}`)
  return {
    terminal: id,
    collected_at: COLLECTED,
    outcome: 'ok',
    host_key: t.ssh?.host_key ?? KEY_A,
    client: {
      terminal_id: id,
      role: t.role,
      auth: t.auth ?? 'device',
      serial: t.serial ?? '',
      macs: t.macs ?? [],
      ips: [t.address ?? '10.1.0.99'],
    },
    os: {hostname: t.hostname, machine_id: `m-${id}`, name: 'Debian GNU/Linux 12'},
    ...over,
  }
}

/** A failed collection. */
export function failedFacts(id: string, outcome: string, over: Json = {}): Json {
  return {terminal: id, collected_at: COLLECTED, outcome, error: {reason: `collection failed: ${outcome}`}, ...over}
}

export function terminal(inv: Json, id: string): Json {
  const t = inv.terminals.find((x: Json) => x.id === id)
  if (!t) throw new Error(`no terminal ${id}`)
  return t
}

export interface ScenarioOptions {
  /** Facts documents by file name (without .json); a string is written as is. Undefined: validate mode (no facts). */
  facts?: Record<string, Json | string>
  now?: string
  failOn?: FailOn
  rules?: string[]
}

const roots: string[] = []
/** Removes every folder this module created. */
export function cleanup(): void {
  for (const r of roots.splice(0)) rmSync(r, {recursive: true, force: true})
}

/** Writes the inventory (and facts) to a fresh folder and audits it in-process. */
export async function writeScenario(
  inv: Json,
  options: ScenarioOptions = {},
): Promise<{dir: string; inventory: string; facts?: string}> {
  const dir = mkdtempSync(join(tmpdir(), 'fa-scenario-'))
  roots.push(dir)
  const inventory = join(dir, 'inventory.yaml')
  writeFileSync(inventory, stringify(inv))
  let facts: string | undefined
  if (options.facts) {
    facts = join(dir, 'facts')
    mkdirSync(facts)
    for (const [name, doc] of Object.entries(options.facts)) {
      writeFileSync(join(facts, `${name}.json`), typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2))
    }
  }

  return {dir, inventory, facts}
}

let builtinRules: Promise<Rule[]> | undefined
/** The built-in rule packs, read and compiled once per test file (each file has its own copy of this module). */
export function builtinRulePacks(): Promise<Rule[]> {
  builtinRules ??= loadRules()
  return builtinRules
}

export async function audit(inv: Json, options: ScenarioOptions = {}): Promise<AuditResult> {
  const {inventory, facts} = await writeScenario(inv, options)
  // Extra rule folders are loaded with their run, as the CLI does; the built-in packs are shared by the file's tests.
  const rules = options.rules ? undefined : await builtinRulePacks()
  return runAudit(
    {inventory, facts, rules: options.rules, failOn: options.failOn ?? 'high'},
    {now: parseNow(options.now ?? NOW), rules},
  )
}

/** Facts for every active terminal of the inventory, agreeing with it. */
export function allOk(inv: Json): Record<string, Json> {
  const out: Record<string, Json> = {}
  for (const t of inv.terminals) if ((t.status ?? 'active') === 'active') out[t.id] = okFacts(inv, t.id)
  return out
}

/** `terminal rule` lines of the findings, sorted, with `(waived)` marks: easy to compare as a whole. */
export function hits(result: AuditResult): string[] {
  return result.findings.map((f) => `${f.terminal} ${f.rule}${f.waiver ? ' (waived)' : ''}`)
}
