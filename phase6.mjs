import {loadMapping} from './dist/src/logs/mapping.js'
import {planFiles} from './dist/src/logs/files.js'
import {LogEngine} from './dist/src/logs/engine.js'
import {createTables, createUsageView} from './dist/src/logs/tables.js'
import {loadFiles, USAGE_TABLE} from './dist/src/logs/load.js'
import {loadInventory} from './dist/src/index.js'
import {loadRules} from './dist/src/rules/load.js'
import {mkdtempSync} from 'node:fs'
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6 }
let t = cpu()
const lap = (l) => { const c = cpu(); console.log(l.padEnd(48), 'cpu', (c - t).toFixed(2)); t = c }
const inv = await loadInventory('/tmp/lgb/binv.yaml'); lap('inventory')
const rules = (await loadRules()).filter((r) => r.needs === 'logs'); lap('rules')
const m = await loadMapping('/tmp/lgb/g2.yaml'); const tmp = mkdtempSync('/tmp/lgb/x'); const plans = await planFiles(m, tmp, {n: 0})
const e = await LogEngine.open({tmpDir: tmp, timezone: 'Asia/Tokyo'})
await createTables(e, {inventory: inv, from: '2026-10-01', to: '2026-10-31', sources: ['b'], past: []}); await e.run(USAGE_TABLE); await e.run(`CREATE TABLE unparseable (source VARCHAR, file VARCHAR, n BIGINT, positions VARCHAR, first_day DATE, last_day DATE)`); await createUsageView(e); lap('tables')
for (let i = 0; i < 2; i++) { await loadFiles(e, m, plans, 'Asia/Tokyo'); lap('load') }
console.log((await e.rows('select count(*) n, sum(n) nrows from usage_all'))[0])
for (const r of rules) { const rows = await e.rows(r.sql, r.params); lap(`${r.id} (${rows.length})`) }
