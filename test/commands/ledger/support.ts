import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative, resolve} from 'node:path'
import ts from 'typescript'

import {generateKeyPair, type KeyPair} from '../../../src/ledger/keys.js'
import type {Company, Inventory, Terminal} from '../../../src/model/types.js'
import {type CliResult, runCli} from '../../support/cli.js'

const here = {file: 'inventories/test.yaml', line: 1, column: 1}

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-audit-ledger-'))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

function terminal(id: string, zone: string, site: string, owner: string, role: 'nw' | 'retail'): Terminal {
  const n = id.replace(/\D/g, '')
  return {
    id,
    hostname: id.toLowerCase(),
    address: `127.0.1.${Number(n) % 250}`,
    site,
    zone,
    owner,
    role,
    status: 'active',
    auth: 'idcard',
    serial: `SN-${n}`,
    macs: [`02:00:00:00:00:${n.slice(-2).padStart(2, '0')}`],
    tags: [],
    ssh: {host_key: `SHA256:hostkey${n}`},
    source: here,
    fieldSources: {},
  }
}

/** The test inventory with fresh key pairs for NW (`nw`) and retail (`retail`), and any further companies after them. */
export function keyedInventory(more: Company[] = []): {nwKeys: KeyPair; retailKeys: KeyPair; inventory: Inventory} {
  const retailKeys = generateKeyPair()
  const nwKeys = generateKeyPair()
  const inventory = testInventory(0, [
    {
      id: 'nw',
      name: 'Tohoku NW',
      side: 'nw',
      public_key: nwKeys.publicKeyPem,
      source: {file: 'i.yaml', line: 1, column: 1},
    },
    {
      id: 'retail',
      name: 'Tohoku Retail',
      side: 'retail',
      public_key: retailKeys.publicKeyPem,
      source: {file: 'i.yaml', line: 2, column: 1},
    },
    ...more,
  ])
  return {nwKeys, retailKeys, inventory}
}

/** A small two-company inventory: NW (side nw) and retail, plus a contractor working for retail. */
export function testInventory(extraTerminals = 0, companies?: Company[]): Inventory {
  const terminals = [
    terminal('T-001', 'sendai-retail', 'sendai', 'retail', 'retail'),
    terminal('T-002', 'sendai-retail', 'sendai', 'retail', 'retail'),
    terminal('T-003', 'hachinohe-nw', 'hachinohe', 'nw', 'nw'),
    terminal('T-004', 'hachinohe-counter', 'hachinohe', 'retail', 'retail'),
  ]
  for (let i = 0; i < extraTerminals; i++)
    terminals.push(terminal(`X-${String(i).padStart(6, '0')}`, 'sendai-retail', 'sendai', 'retail', 'retail'))
  return {
    root: 'inventories/test.yaml',
    files: ['inventories/test.yaml'],
    companies: companies ?? [
      {id: 'nw', name: 'Tohoku NW', side: 'nw', source: here},
      {id: 'retail', name: 'Tohoku Retail', side: 'retail', source: here},
      {id: 'ctr', name: 'Contractor for retail', side: 'retail', source: here},
    ],
    people: [
      {id: 'nw-sato', name: 'Sato', company: 'nw', log_ids: [], periods: [], source: here},
      {id: 'nw-suzuki', name: 'Suzuki', company: 'nw', log_ids: [], periods: [], source: here},
      {id: 'rt-tanaka', name: 'Tanaka', company: 'retail', log_ids: [], periods: [], source: here},
      {id: 'rt-ito', name: 'Ito', company: 'retail', log_ids: [], periods: [], source: here},
      {id: 'ctr-kato', name: 'Kato', company: 'ctr', log_ids: [], periods: [], source: here},
    ],
    sites: [
      {id: 'sendai', name: 'Sendai-Kita', subnets: [], source: here},
      {id: 'hachinohe', name: 'Hachinohe', subnets: [], source: here},
    ],
    zones: [
      {id: 'sendai-retail', site: 'sendai', name: 'Retail office', kind: 'office', access: ['retail'], source: here},
      {
        id: 'sendai-training',
        site: 'sendai',
        name: 'Training room',
        kind: 'training',
        access: ['retail', 'nw'],
        source: here,
      },
      {id: 'hachinohe-nw', site: 'hachinohe', name: 'NW office', kind: 'office', access: ['nw'], source: here},
      {
        id: 'hachinohe-counter',
        site: 'hachinohe',
        name: 'Shared counter',
        kind: 'counter',
        access: ['nw', 'retail'],
        source: here,
      },
    ],
    terminals,
    waivers: [],
    emergency_windows: [],
    retailers: [],
    supply_points: [],
    policy: {freshness_days: 7, ack_days: 14, max_waiver_days: 90, timezone: 'Asia/Tokyo'},
    defaults: {ssh: {}},
    profiles: [],
  }
}

/** Runs SQL through the real `sqlite3` command-line tool, behind the library's back. */
export function sqlite(path: string, sql: string): string {
  return execFileSync('/usr/bin/sqlite3', [path, sql], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
}

const root = resolve(import.meta.dirname, '../../..')

/**
 * Transpiles src/ (type-stripping only, ~0.5 s) to plain JS for child processes, under node_modules/.cache so its
 * bare imports (better-sqlite3, yaml) resolve from the project. Returns the URL of the compiled index.
 */
export function compiledLedger(): string {
  const out = join(root, 'node_modules/.cache/fleet-audit-ledger-test')
  // All of src/, not just src/ledger: whatever the ledger imports (errors.ts, model.ts, …) comes along.
  const files = walk(join(root, 'src')).map((f) => relative(root, f))
  for (const file of files) {
    const source = ts.sys.readFile(join(root, file))!
    const js = ts.transpileModule(source, {
      compilerOptions: {module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true},
      fileName: file,
    }).outputText
    const dest = join(out, file.replace(/\.ts$/, '.js'))
    mkdirSync(dirname(dest), {recursive: true})
    writeFileSync(dest, js)
  }
  writeFileSync(join(out, 'package.json'), '{"type": "module"}')
  return 'file://' + join(out, 'src/ledger/index.js')
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : name.endsWith('.ts') ? [path] : []
  })
}

/** The key options of an export: the private key and, as the inventory would declare it, its public half. */
export function signing(keys: {privateKeyPem: string; publicKeyPem: string}): {
  privateKeyPem: string
  publicKeyPem: string
} {
  return {privateKeyPem: keys.privateKeyPem, publicKeyPem: keys.publicKeyPem}
}

/** The CLI under test: `bin/run.js`, or the build named by FLEET_AUDIT_BIN (to run the same attacks on an older build). */
export const BIN = process.env.FLEET_AUDIT_BIN ?? join(resolve(import.meta.dirname, '..', '..', '..'), 'bin', 'run.js')

/**
 * Runs the CLI in `cwd` with the example's inventory (`inv`) and a pinned day; never reads a user's database or config.
 * In this process (test/support/cli.ts); as a child process `bin/run.js` when FLEET_AUDIT_BIN names another build.
 */
export async function ledgerCli(cwd: string, ...args: string[]): Promise<CliResult> {
  const env = {
    ...process.env,
    NO_COLOR: '1',
    LANG: 'C',
    FLEET_AUDIT_DB: '',
    FLEET_AUDIT_INVENTORY: 'inv',
    FLEET_AUDIT_NOW: '2026-11-27',
  }
  return runCli(args, {cwd, env, bin: process.env.FLEET_AUDIT_BIN})
}
