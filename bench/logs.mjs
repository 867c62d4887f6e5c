// The access-log review at 1 M and 10 M rows (about 1 GB), against the engine's bare scan of the same files in the
// same run (and its typed read of the mapped fields, the least a review reads). Prints a Markdown section; `node bench/logs.mjs --write` also puts it into BENCHMARKS.md in place.
//   BENCH_LOG_ROWS=1000000,10000000 (default)   BENCH_LOG_SJIS=0 skips the Shift_JIS runs   BENCH_LOG_REPEAT=5 (runs per process, fastest kept)
// The generated files are deleted afterwards.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {cpus, totalmem} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {stringify} from 'yaml'

import {generateLogs, loadInventory} from '../dist/src/index.js'

const root = resolve(fileURLToPath(import.meta.url), '..', '..')
const out = join(root, 'bench', 'out', 'logs')
const hook = join(root, 'bench', 'usage-hook.mjs')
const sizes = (process.env.BENCH_LOG_ROWS ?? '1000000,10000000').split(',').map(Number)
const withSjis = process.env.BENCH_LOG_SJIS !== '0'
// Each process is run this many times and its fastest run kept (wall and CPU each): the 2 cores are shared, and a
// single run measures the neighbours as much as the code. The same for the baseline and the review.
const REPEAT = Math.max(1, Number(process.env.BENCH_LOG_REPEAT ?? 5))
const FROM = '2026-10-01'
const TO = '2026-10-31'
const SITES = 50
const PER_SITE = 40

/**
 * Each command `measureOnce` REPEAT times, the commands taking turns (a, b, a, b, ...), so that the baseline and the
 * review see the same state of the shared machine rather than one its calm minute and the other its busy one. Per
 * command: the fastest wall time, the least CPU and the largest peak RSS seen.
 */
function measure(...commands) {
  const runs = commands.map(() => [])
  for (let r = 0; r < REPEAT; r++) for (const [i, args] of commands.entries()) runs[i].push(measureOnce(args))
  return runs.map((rs) => ({
    ms: Math.min(...rs.map((x) => x.ms)),
    cpu: Math.min(...rs.map((x) => x.cpu)),
    mb: Math.max(...rs.map((x) => x.mb)),
  }))
}

/** Runs a node script; wall ms, CPU ms (all threads) and peak RSS (MB) of that process. */
function measureOnce(args) {
  const usageFile = join(out, 'usage.txt')
  rmSync(usageFile, {force: true})
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, ['--import', hook, ...args], {
    cwd: root,
    env: {...process.env, BENCH_USAGE_FILE: usageFile, NO_COLOR: '1'},
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (![0, 1].includes(r.status)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  const [kb, cpuUs] = readFileSync(usageFile, 'utf8').trim().split('\n').pop().split(' ').map(Number)
  return {ms, cpu: cpuUs / 1000, mb: kb / 1024}
}

/** 50 sites × 40 terminals (half NW in an NW-only office, half retail), two people per terminal, 2,000 supply points. */
function benchInventory(dir) {
  const companies = [
    {id: 'nw', name: 'Grid', side: 'nw'},
    {id: 'ep', name: 'Retail', side: 'retail'},
  ]
  const sites = []
  const terminals = []
  const people = []
  const assign = {}
  for (let s = 0; s < SITES; s++) {
    sites.push({
      id: `s${s}`,
      name: `Site ${s}`,
      zones: [
        {id: `s${s}-nw`, name: 'NW office', kind: 'office', access: ['nw']},
        {id: `s${s}-rt`, name: 'Retail office', kind: 'office', access: ['ep']},
      ],
    })
    for (let t = 0; t < PER_SITE; t++) {
      const nw = t < PER_SITE / 2
      const id = `T${s}-${t}`
      terminals.push({
        id,
        hostname: `t${s}-${t}`,
        site: `s${s}`,
        zone: nw ? `s${s}-nw` : `s${s}-rt`,
        owner: nw ? 'nw' : 'ep',
        role: nw ? 'nw' : 'retail',
      })
      assign[id] = []
      for (let p = 0; p < 2; p++) {
        const pid = `p${s}-${t}-${p}`
        people.push({id: pid, name: `Person ${pid}`, company: nw ? 'nw' : 'ep', log_ids: [`U${s}-${t}-${p}`]})
        assign[id].push(pid)
      }
    }
  }

  const retailers = [
    {id: 'own', name: 'Own retail', company: 'ep'},
    {id: 'pps', name: 'Competitor'},
  ]
  const supply_points = Array.from({length: 2000}, (_, i) => ({
    id: `03${String(i).padStart(20, '0')}`,
    retailer: i % 10 < 7 ? 'own' : 'pps',
  }))
  const file = join(dir, 'inventory.yaml')
  writeFileSync(
    file,
    stringify({companies, people, sites, terminals, retailers, supply_points, policy: {timezone: 'Asia/Tokyo'}}),
  )
  return {file, assign}
}

function mappingFile(dir, name, encoding) {
  const file = join(dir, `${name}.yaml`)
  writeFileSync(
    file,
    stringify({
      version: 1,
      source: 'bench',
      files: [`${name}/*.csv`],
      format: 'csv',
      encoding,
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
        action: {照会: 'view', 検索: 'search', 印刷: 'print', 出力: 'export'},
      },
    }),
  )
  return file
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`)

rmSync(out, {recursive: true, force: true})
mkdirSync(out, {recursive: true})
const rows = []
let first
try {
  const {file: invFile, assign} = benchInventory(out)
  const inventory = await loadInventory(invFile)
  for (const n of sizes) {
    // 2,000 terminals × 31 days × (5 + 2 × 0.2) / 7 of a weekday's rows ≈ 47,800 × rows per terminal-day.
    const perTerminalDay = Math.max(1, Math.round(n / 47_830))
    // Both encodings' files first, then every process taking turns: the Shift_JIS review is compared with the UTF-8
    // review of the same minutes, as the review is with the bare scan.
    const runs = []
    for (const encoding of withSjis ? ['utf-8', 'shift_jis'] : ['utf-8']) {
      const name = `logs-${n}-${encoding}`
      const dir = join(out, name)
      const t0 = Date.now()
      const gen = await generateLogs({
        inventory,
        from: FROM,
        to: TO,
        seed: 1,
        out: dir,
        perTerminalDay,
        encoding,
        oneFile: 'access.csv',
        assign,
      })
      const bytes = statSync(gen.files[0]).size
      console.error(
        `generated ${gen.rows.toLocaleString('en')} rows, ${(bytes / 2 ** 20).toFixed(0)} MB (${encoding}) in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      )
      const mapping = mappingFile(out, name, encoding)
      const reviewArgs = [
        'bin/run.js',
        'logs',
        'analyze',
        '-i',
        invFile,
        '--logs',
        mapping,
        '--from',
        FROM,
        '--to',
        TO,
        '--now',
        '2026-11-27',
        '--format',
        'json',
        '--fail-on',
        'none',
        '--max-file-size',
        String(64 << 20),
      ]
      runs.push({encoding, rows: gen.rows, bytes, dir, file: gen.files[0], reviewArgs})
    }

    // The engine cannot read CP932 itself (its encodings extension is not available offline): baseline on UTF-8 only.
    const [review, bare, typed, sjisReview] = measure(
      runs[0].reviewArgs,
      ['bench/logs-baseline.mjs', runs[0].file],
      ['bench/logs-baseline.mjs', runs[0].file, '--typed'],
      ...runs.slice(1).map((r) => r.reviewArgs),
    )
    Object.assign(runs[0], {review, bare, typed})
    if (runs[1]) runs[1].review = sjisReview
    for (const r of runs) {
      console.error(
        `  ${r.encoding}: ${r.bare ? `bare scan ${fmt(r.bare.ms)} (cpu ${fmt(r.bare.cpu)}), typed read ${fmt(r.typed.ms)} (cpu ${fmt(r.typed.cpu)}), ` : ''}review ${fmt(r.review.ms)} (cpu ${fmt(r.review.cpu)}) / ${r.review.mb.toFixed(0)} MB`,
      )
      rmSync(r.dir, {recursive: true, force: true})
    }

    const utf8 = runs[0]
    first ??= utf8
    const sjis = runs[1]
    const both = (a, b) => `${(a.ms / b.ms).toFixed(2)}× (cpu ${(a.cpu / b.cpu).toFixed(2)}×)`
    rows.push(
      `| ${utf8.rows.toLocaleString('en')} | ${(utf8.bytes / 2 ** 20).toFixed(0)} MB | ${fmt(utf8.bare.ms)} (cpu ${fmt(utf8.bare.cpu)}) | ${fmt(utf8.review.ms)} (cpu ${fmt(utf8.review.cpu)}) / ${utf8.review.mb.toFixed(0)} MB | ${both(utf8.review, utf8.bare)} | ${fmt(utf8.typed.ms)} (cpu ${fmt(utf8.typed.cpu)}), ${(utf8.typed.ms / utf8.bare.ms).toFixed(2)}× | ${both(utf8.review, utf8.typed)} | ${(utf8.review.ms / first.review.ms / (utf8.rows / first.rows)).toFixed(2)} (cpu ${(utf8.review.cpu / first.review.cpu / (utf8.rows / first.rows)).toFixed(2)}) | ${sjis ? `${fmt(sjis.review.ms)} (cpu ${fmt(sjis.review.cpu)}) / ${sjis.review.mb.toFixed(0)} MB | ${both(sjis.review, utf8.review)}` : '— | —'} |`,
    )
    console.error(rows.at(-1))
  }
} finally {
  rmSync(out, {recursive: true, force: true})
}

const section = `## Access-log review

\`logs analyze\` over one month of generated logs (\`bench/logs.mjs\`: 2,000 terminals at 50 sites, 4,000 people, 2,000
supply points; CSV with the example's Japanese header, one file) against the engine's bare scan of the same file in
the same run (\`bench/logs-baseline.mjs\`: DuckDB \`SELECT count(*) FROM read_csv(...)\`, a process of its own), and
against the engine's typed read of the same file (\`--typed\`: the eight fields the mapping names, the time by its
format and the count as a number, \`count()\` of each and nothing else: the least any review of the file reads). The
review is the whole command: load and validate the inventory, hash the file, read every row, run the 16 log rules,
render JSON. Wall time and, because the 2 cores are shared with other work, CPU time (user + system, all threads) of
each process, which is steadier under contention; each process is run ${REPEAT} times, the review, the two baselines and the Shift_JIS review taking turns, and its fastest run kept
(wall and CPU each; \`BENCH_LOG_REPEAT\`). Peak RSS is the whole process (Node and the engine). Growth = (time per row) / (time per row at the
smallest size): 1.00 is linear. Shift_JIS: the same rows in CP932, decoded in Node and handed to the engine as UTF-8.
Targets: review ≤ 3× the bare scan, < 1 GiB at 10 M rows, linear growth, Shift_JIS ≤ 1.5× UTF-8.
Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, shared with other work while measured.

| rows | file (UTF-8) | bare scan | review / peak RSS | × bare scan | typed read, × bare scan | review × typed read | growth | Shift_JIS review / peak RSS | × UTF-8 |
| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |
${rows.join('\n')}
`
process.stdout.write(section)
if (process.argv.includes('--write')) {
  const file = join(root, 'BENCHMARKS.md')
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n'
  const start = text.indexOf('## Access-log review')
  const next = start === -1 ? -1 : text.indexOf('\n## ', start + 1)
  const updated =
    start === -1
      ? `${text.trimEnd()}\n\n${section}`
      : `${text.slice(0, start)}${section}${next === -1 ? '' : text.slice(next + 1)}`
  writeFileSync(file, updated)
  console.error('updated BENCHMARKS.md')
}
