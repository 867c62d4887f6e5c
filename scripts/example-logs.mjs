// Regenerates the bundled example's month of access logs (inventories/tohoku-example/logs/2026-10/), deterministic.
// The four incidents of the seed case leave their traces, plus a transfer and a shared NW login:
//   node scripts/example-logs.mjs   (after npm run build)
import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import {generateLogs, loadInventory} from '../dist/src/index.js'

const root = 'inventories/tohoku-example'
const out = join(root, 'logs', '2026-10')
const inventory = await loadInventory(root)
const own = inventory.supply_points.filter((s) => s.retailer === 'tohoku-epco').map((s) => s.id)
const competitor = inventory.supply_points.filter((s) => s.retailer !== 'tohoku-epco').map((s) => s.id)
const pick = (list, i) => list[i % list.length]
const pad = (n) => String(n).padStart(2, '0')
const at = (day, h, m, s = 0) => `2026-10-${pad(day)} ${pad(h)}:${pad(m)}:${pad(s)}`
const extra = []
const use = (day, h, m, terminal, user, more = {}) =>
  extra.push({
    at: at(day, h, m, more.s ?? 0),
    terminal,
    user,
    setting: 'nw',
    action: 'view',
    unmasked: true,
    records: 1,
    ...more,
  })

// Hachinohe (2018): retail staff look up competitors' customers' capacity on the NW terminal at the shared counter.
for (const [i, day] of [5, 9, 14, 21, 28].entries())
  for (let k = 0; k < 3; k++)
    use(day, 10, 5 + k * 7, 'HC-NW-001', 'RT-H101', {supply_point: pick(competitor, i * 3 + k)})

// Iwate-Sanriku (2022): another temp-staff PC nobody declared, delivered with the NW setting.
for (let day = 19; day <= 31; day++)
  for (let k = 0; k < 8; k++)
    use(day, 9 + k, 12, 'IS-RT-105', 'TP-I203', {supply_point: pick(k % 3 === 0 ? competitor : own, day + k)})

// Customer center (2022): one employee views 2,700 competitor records in the training room on one day, and exports some.
for (let k = 0; k < 2700; k++) {
  const sec = 9 * 3600 + Math.floor((k * 8 * 3600) / 2700)
  use(20, Math.floor(sec / 3600), Math.floor((sec % 3600) / 60), 'CC-NW-301', 'RT-C101', {
    s: sec % 60,
    supply_point: pick(competitor, k),
  })
}
use(20, 16, 55, 'CC-NW-301', 'RT-C101', {action: 'export', records: 120, supply_point: pick(competitor, 1)})

// Customer center: the disaster-reception PC in the retail office used in normal times during a switching surge.
for (const day of [6, 7, 8])
  for (let k = 0; k < 15; k++)
    use(day, 13, 2 + k * 3, 'CC-DR-310', 'RT-C101', {supply_point: pick(k % 2 ? competitor : own, day + k)})
// ...and the disaster desk used inside the NW-approved emergency window only.
for (const day of [12, 13])
  for (let k = 0; k < 20; k++)
    use(day, 8 + Math.floor(k / 3), 10 + (k % 3) * 15, 'CC-DR-311', 'NW-C002', {supply_point: pick(own, k)})

// TEPCO / Hokuriku: an NW login still used after its holder moved to retail (2026-10-15).
for (let day = 1; day <= 20; day++)
  for (let k = 0; k < 3; k++) use(day, 14, 10 + k * 11, 'HC-NW-010', 'NW-H003', {supply_point: pick(own, day * 3 + k)})
// ...and an NW login used at Iwate-Sanriku and, 15 minutes later, at Hachinohe.
use(22, 10, 55, 'IS-NW-110', 'NW-I001', {supply_point: pick(own, 5)})
use(22, 11, 10, 'HC-NW-010', 'NW-I001', {supply_point: pick(own, 6)})

await rm(out, {recursive: true, force: true})
const result = await generateLogs({
  inventory,
  from: '2026-10-01',
  to: '2026-10-31',
  seed: 2026_10,
  out,
  perTerminalDay: 25,
  encoding: 'shift_jis',
  gzip: true,
  extra,
  quiet: ['CC-DR-310', 'CC-DR-311'],
  // Temp-staff PCs delivered with the NW setting (the same PCs the facts show as role=nw).
  settings: {'IS-RT-101': 'nw', 'IS-RT-102': 'nw', 'SK-RT-201': 'nw'},
  assign: {
    'HC-NW-001': ['nw-kimura'],
    'HC-NW-002': ['nw-kimura'],
    'HC-NW-010': ['nw-abe'],
    'HC-RT-020': ['ep-ito'],
    'IS-RT-101': ['tmp-murata'],
    'IS-RT-102': ['tmp-ono'],
    'IS-RT-103': ['ep-sasaki'],
    'IS-NW-110': ['nw-goto'],
    'SK-RT-201': ['tmp-hayashi'],
    'SK-RT-202': ['ep-mori'],
    // The training room, used by contractors of both companies.
    'CC-NW-301': ['rc-yamada', 'itn-ogawa'],
    'CC-NW-302': ['rc-inoue', 'itn-ogawa'],
    'CC-NW-320': ['nw-sato', 'nw-suzuki'],
    'CC-RT-330': ['ep-tanaka', 'ep-takahashi', 'ep-kato'],
  },
})
console.log(`${result.rows} rows in ${result.files.length} files under ${out}`)
