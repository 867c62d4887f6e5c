#!/usr/bin/env node
// Ledger benchmark: record, export, import and verify N events (default 100,000), each stage in its own child
// process so "peak memory" is that stage's own maximum resident set size.
//   npx tsc -p tsconfig.json && node bench/ledger.js [N]
// Prints a markdown table (wall time of the operation itself, excluding process start and test-data set-up).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const self = fileURLToPath(import.meta.url)
const TARGET_MS = 2000

async function stage(name, dir, n) {
  const lib = await import(new URL('../dist/src/ledger/index.js', import.meta.url).href)
  const now = new Date('2026-11-27T03:00:00Z')
  const keys = name === 'record' ? lib.generateKeyPair() : JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8'))
  let detail = ''
  let elapsed
  let cpu
  const time = (fn) => {
    const start = process.hrtime.bigint()
    const cpuStart = process.cpuUsage()
    const result = fn()
    elapsed = Number(process.hrtime.bigint() - start) / 1e6
    const used = process.cpuUsage(cpuStart)
    cpu = (used.user + used.system) / 1000
    return result
  }
  if (name === 'record') {
    writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys))
    const inventory = syntheticInventory(n)
    const inputs = inventory.terminals.map((t, i) => ({
      kind: 'install',
      terminal: t.id,
      issuer: 'retail',
      actor: 'rt-tanaka',
      approver: 'rt-ito',
      occurred_at: '2026-11-27T10:00+09:00',
      note: i % 10 === 0 ? `batch ${i / 10}` : undefined,
    }))
    const db = lib.openLedger(join(dir, 'retail.sqlite'))
    time(() => lib.recordEvents(db, inventory, inputs, now))
    db.close()
    detail = 'one transaction'
  } else if (name === 'record-each') {
    const inventory = syntheticInventory(1000)
    const db = lib.openLedger(join(dir, 'each.sqlite'))
    time(() => {
      for (const t of inventory.terminals)
        lib.recordEvent(
          db,
          inventory,
          {
            kind: 'install',
            terminal: t.id,
            issuer: 'retail',
            actor: 'rt-tanaka',
            approver: 'rt-ito',
            occurred_at: '2026-11-27T10:00+09:00',
          },
          now,
        )
    })
    db.close()
    detail = '1,000 events, one transaction (fsync) each'
  } else if (name === 'export') {
    const db = lib.openLedger(join(dir, 'retail.sqlite'))
    const result = time(() =>
      lib.exportHandoff(db, {
        from: 'retail',
        to: 'nw',
        privateKeyPem: keys.privateKeyPem,
        publicKeyPem: keys.publicKeyPem,
        now,
      }),
    )
    db.close()
    writeFileSync(join(dir, 'handoff.yaml'), result.bytes)
    detail = `${(result.bytes.length / 1e6).toFixed(1)} MB YAML, signed`
  } else if (name === 'import') {
    const db = lib.openLedger(join(dir, 'nw.sqlite'))
    const text = readFileSync(join(dir, 'handoff.yaml'), 'utf8')
    const companies = [
      {id: 'retail', side: 'retail'},
      {id: 'nw', side: 'nw'},
    ]
    const result = time(() => lib.importHandoff(db, text, keys.publicKeyPem, {now, recipient: 'nw', companies}))
    db.close()
    detail = `${result.added} added, signature and chain checked`
  } else if (name === 'verify') {
    const db = lib.openLedger(join(dir, 'nw.sqlite'))
    const result = time(() =>
      lib.verifyLedger(db, {
        companies: [
          {id: 'retail', side: 'retail', public_key: keys.publicKeyPem},
          {id: 'nw', side: 'nw'},
        ],
      }),
    )
    db.close()
    if (!result.ok) throw new Error('verify failed: ' + JSON.stringify(result.problems.slice(0, 3)))
    detail = `${result.chains[0]?.count ?? 0} events re-hashed, ${result.heads} signed head(s), guards probed`
  }
  process.stdout.write(JSON.stringify({elapsed, cpu, maxRssKb: process.resourceUsage().maxRSS, detail}) + '\n')
}

function syntheticInventory(n) {
  const at = {file: 'bench', line: 1, column: 1}
  const terminals = []
  for (let i = 0; i < n; i++) {
    const id = `T-${String(i).padStart(6, '0')}`
    terminals.push({
      id,
      hostname: id.toLowerCase(),
      site: 'sendai',
      zone: 'sendai-retail',
      owner: 'retail',
      role: 'retail',
      status: 'active',
      auth: 'idcard',
      serial: `SN-${i}`,
      macs: [`02:00:00:${hex(i >> 16)}:${hex(i >> 8)}:${hex(i)}`],
      tags: [],
      ssh: {host_key: `SHA256:${Buffer.from(id).toString('base64')}`},
      source: at,
      fieldSources: {},
    })
  }
  return {
    root: 'bench',
    files: [],
    companies: [
      {id: 'retail', name: 'Retail', side: 'retail', source: at},
      {id: 'nw', name: 'NW', side: 'nw', source: at},
    ],
    people: [
      {id: 'rt-tanaka', name: 'Tanaka', company: 'retail', source: at},
      {id: 'rt-ito', name: 'Ito', company: 'retail', source: at},
    ],
    sites: [{id: 'sendai', name: 'Sendai', subnets: [], source: at}],
    zones: [
      {id: 'sendai-retail', site: 'sendai', name: 'Retail office', kind: 'office', access: ['retail'], source: at},
    ],
    terminals,
    waivers: [],
    policy: {freshness_days: 7, ack_days: 14, max_waiver_days: 90, timezone: 'Asia/Tokyo'},
    defaults: {ssh: {}},
  }
}

const hex = (v) => (v & 0xff).toString(16).padStart(2, '0')

async function main() {
  const [flag, name, stageDir, count] = process.argv.slice(2)
  if (flag === '--stage') return stage(name, stageDir, Number(count))
  const n = Number(flag ?? 100_000)
  const dir = mkdtempSync(join(tmpdir(), 'fleet-audit-bench-'))
  const rows = []
  try {
    for (const name of ['record', 'export', 'import', 'verify', 'record-each']) {
      const run = spawnSync(process.execPath, [self, '--stage', name, dir, String(n)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      })
      if (run.status !== 0) throw new Error(`${name} failed:\n${run.stderr}`)
      rows.push({name, ...JSON.parse(run.stdout.trim().split('\n').at(-1))})
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
  const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)
  console.log(
    `Ledger, ${n.toLocaleString('en')} events — Node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString().slice(0, 10)}\n`,
  )
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (wall time includes waiting for a CPU; CPU time does not)\n`,
  )
  console.log('| stage | wall time | CPU time | peak RSS | target (wall < 2 s) | notes |')
  console.log('|---|---:|---:|---:|---|---|')
  for (const r of rows) {
    const target = r.name === 'record-each' ? '' : r.elapsed < TARGET_MS ? '✓ < 2 s' : '✗ ≥ 2 s'
    console.log(
      `| ${r.name} | ${fmt(r.elapsed)} | ${fmt(r.cpu)} | ${(r.maxRssKb / 1024).toFixed(0)} MB | ${target} | ${r.detail} |`,
    )
  }
}

await main()
