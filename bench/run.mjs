// npm run bench: measures fleet-audit against baselines run in the same command, and writes BENCHMARKS.md.
// Sizes can be narrowed for a quick look: BENCH_SIZES=1000,10000 npm run bench
// BENCH_COLLECT=0 keeps the collection section already in BENCHMARKS.md (marked with the run that measured it).
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync} from 'node:fs'
import {cpus, loadavg, totalmem} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {generate} from './generate.mjs'

const root = resolve(fileURLToPath(import.meta.url), '..', '..')
const out = join(root, 'bench', 'out')
mkdirSync(out, {recursive: true})
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number)
const hook = join(root, 'bench', 'rss-hook.mjs')

/** Runs a node script with args; returns wall ms and peak RSS in MB. Fails loudly on an unexpected exit code. */
function measure(args, okCodes = [0, 1]) {
  const rssFile = join(out, 'rss.txt')
  rmSync(rssFile, {force: true})
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, ['--import', hook, ...args], {
    cwd: root,
    env: {...process.env, BENCH_RSS_FILE: rssFile, NO_COLOR: '1'},
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (!okCodes.includes(r.status)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop())
  return {ms, mb: kb / 1024}
}

function median(runs, pick) {
  const v = runs.map(pick).sort((a, b) => a - b)
  return v[Math.floor(v.length / 2)]
}

function repeat(n, fn) {
  const runs = Array.from({length: n}, fn)
  return {ms: median(runs, (r) => r.ms), mb: Math.max(...runs.map((r) => r.mb))}
}

/**
 * With BENCH_COLLECT=0 the collection section (20 minutes of lab) is not re-run: the one already in BENCHMARKS.md is
 * kept, marked with the run (date, commit) that measured it, so no figure is passed off as this run's.
 */
function previousSection(title) {
  let text
  try {
    text = readFileSync(join(root, 'BENCHMARKS.md'), 'utf8')
  } catch {
    return undefined
  }
  const start = text.indexOf(`${title}\n`)
  if (start < 0 || text.includes(`${title}\n\nNot measured`)) return undefined
  const end = text.indexOf('\n## ', start + title.length)
  const body = text.slice(start + title.length + 1, end < 0 ? undefined : end + 1)
  if (body.startsWith('\n_Not re-run')) return `${title}\n${body}`
  const run = /Written by `npm run bench` \(([^,]+), commit (\w+)/.exec(text)
  return `${title}\n\n_Not re-run in this run (BENCH_COLLECT=0): the figures below were measured by the run of ${run ? `${run[1]} at commit ${run[2]}` : 'an earlier run'}._\n${body}`
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)
const sections = []
const loadAtStart = loadavg()

// 1. Inventory validation and offline audit against the yaml parse-only baseline.
{
  const rows = []
  let first
  for (const n of sizes) {
    const split = n >= 100_000
    const {inventory, facts} = generate(join(out, `inv-${n}`), n, {split})
    const reps = n >= 100_000 ? 1 : n >= 10_000 ? 3 : 5
    const now = '2026-11-27'
    const flags = ['--now', now, '--format', 'json', '--max-file-size', String(64 << 20)]
    // Rounds interleave the three commands, so a burst of load on the shared machine hits all three alike; the ratio
    // shown is the median of the rounds' own ratios.
    const rounds = Array.from({length: reps}, () => ({
      base: measure(['bench/parse-baseline.mjs', inventory]),
      validate: measure(['bin/run.js', 'inventory', 'validate', '-i', inventory, ...flags]),
      audit: measure(['bin/run.js', 'audit', '-i', inventory, '--facts', facts, ...flags]),
    }))
    const pick = (k) => ({ms: median(rounds, (r) => r[k].ms), mb: Math.max(...rounds.map((r) => r[k].mb))})
    const base = pick('base')
    const validate = pick('validate')
    const audit = pick('audit')
    validate.ratio = median(rounds, (r) => r.validate.ms / r.base.ms)
    audit.ratio = median(rounds, (r) => r.audit.ms / r.base.ms)
    first ??= {n, validate: validate.ms, audit: audit.ms}
    rows.push(
      `| ${n.toLocaleString('en')} | ${split ? 'one file per site' : 'one file'} | ${fmt(base.ms)} / ${base.mb.toFixed(0)} MB | ${fmt(validate.ms)} / ${validate.mb.toFixed(0)} MB | ${validate.ratio.toFixed(2)}× | ${fmt(audit.ms)} / ${audit.mb.toFixed(0)} MB | ${audit.ratio.toFixed(2)}× | ${(audit.ms / first.audit / (n / first.n)).toFixed(2)} |`,
    )
    console.error(rows.at(-1))
  }

  sections.push(`## Inventory validation and offline audit

Generated inventories (every terminal with every field, two zones per site, matching facts; \`bench/generate.mjs\`).
Baseline: the \`yaml\` library parsing the same files (\`bench/parse-baseline.mjs\`), in the same run. Wall time of the
whole command / peak RSS: median of 5 rounds at 1,000, 3 at 10,000, one run at 100,000; each round runs the
baseline and both commands back to back, and the ratio is the median of the rounds' own ratios. Load average at
the start: ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}. Growth = (time per terminal at this size) / (time per
terminal at the smallest size) for \`audit\`: 1.00 is linear.

| terminals | layout | yaml parse (baseline) | inventory validate | × baseline | audit --facts | × baseline | growth |
| ---: | --- | --- | --- | ---: | --- | ---: | ---: |
${rows.join('\n')}
`)
}

// 2. Start-up: fleet-audit --help against a bare oclif 4 CLI's --help.
{
  const bare = join(out, 'bare-cli')
  rmSync(bare, {recursive: true, force: true})
  mkdirSync(join(bare, 'commands'), {recursive: true})
  mkdirSync(join(bare, 'bin'), {recursive: true})
  writeFileSync(
    join(bare, 'package.json'),
    JSON.stringify({name: 'bare', version: '1.0.0', type: 'module', oclif: {bin: 'bare', commands: './commands'}}),
  )
  writeFileSync(
    join(bare, 'bin', 'run.js'),
    "import {execute} from '@oclif/core'\nawait execute({dir: import.meta.url})\n",
  )
  writeFileSync(
    join(bare, 'commands', 'hello.js'),
    "import {Command} from '@oclif/core'\nexport default class Hello extends Command {\n  static summary = 'Say hello.'\n  async run() { this.log('hello') }\n}\n",
  )
  if (!existsSync(join(bare, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(bare, 'node_modules'))
  const reps = 15
  const ours = repeat(reps, () => measure(['bin/run.js', '--help'], [0]))
  const theirs = repeat(reps, () => measure([join(bare, 'bin', 'run.js'), '--help'], [0]))
  const auditHelp = repeat(reps, () => measure(['bin/run.js', 'audit', '--help'], [0]))
  sections.push(`## Start-up

Median of ${reps} runs of \`--help\`; the baseline is a bare oclif 4 CLI with one command, generated in \`bench/out/bare-cli\`.

| command | wall | peak RSS | × bare oclif |
| --- | ---: | ---: | ---: |
| bare oclif \`--help\` | ${fmt(theirs.ms)} | ${theirs.mb.toFixed(0)} MB | 1.00× |
| \`fleet-audit --help\` | ${fmt(ours.ms)} | ${ours.mb.toFixed(0)} MB | ${(ours.ms / theirs.ms).toFixed(2)}× |
| \`fleet-audit audit --help\` | ${fmt(auditHelp.ms)} | ${auditHelp.mb.toFixed(0)} MB | ${(auditHelp.ms / theirs.ms).toFixed(2)}× |
`)
}

// 3. Collection over SSH against a real lab fleet (bench/collect.ts): needs root, sshd and GNU time.
{
  const missing = [
    process.getuid?.() !== 0 && 'root',
    !existsSync('/usr/sbin/sshd') && 'sshd (apt-get install openssh-server)',
    !existsSync('/usr/bin/time') && 'GNU time (apt-get install time)',
  ].filter(Boolean)
  const kept = process.env.BENCH_COLLECT === '0' ? previousSection('## Collection over SSH') : undefined
  if (kept) sections.push(kept)
  else if (process.env.BENCH_COLLECT === '0' || missing.length > 0) {
    sections.push(
      `## Collection over SSH\n\nNot measured in this run: ${process.env.BENCH_COLLECT === '0' ? 'BENCH_COLLECT=0' : `needs ${missing.join(', ')}`}.\n`,
    )
  } else {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'bench/collect.tsconfig.json'], {
      cwd: root,
      stdio: 'inherit',
    })
    const terminals = process.env.BENCH_COLLECT_TERMINALS ?? '200,1000'
    const table = execFileSync(
      process.execPath,
      ['bench/collect-build/bench/collect.js', '--terminals', terminals, '--repeat', '1'],
      {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24},
    )
    sections.push(`## Collection over SSH

\`fleet-audit collect\` against a bare node-ssh fan-out (connect, run the same command, disconnect) and an OpenSSH
\`xargs -P\` fan-out (curve25519) at the same concurrency, on the same lab fleet of real sshd processes, in the same
run (\`bench/collect.ts\`). The lab's sshd processes share the machine's cores with the client.

${table.trim()}
`)
  }
}

// 4. The ledger: record, export, import and verify 100,000 events (bench/ledger.js), beside raw SQLite inserts.
{
  const n = process.env.BENCH_LEDGER_EVENTS ?? '100000'
  const baseline = Number(
    execFileSync(process.execPath, ['bench/ledger-baseline.mjs', n], {cwd: root, encoding: 'utf8'}).trim(),
  )
  const table = execFileSync(process.execPath, ['bench/ledger.js', n], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  })
  sections.push(`## Ledger

Each stage in its own process (\`bench/ledger.js\`); the time is the operation itself. Baseline in the same run:
${Number(n).toLocaleString('en')} rows inserted with better-sqlite3 in one transaction, each with a SHA-256 of its JSON and
nothing else (\`bench/ledger-baseline.mjs\`): **${fmt(baseline)}**.

${table.trim()}
`)
}

// 5. The HTML report in Chromium at 1,000 and 10,000 terminals (bench/html.mjs), against a page that only parses the JSON report.
if (existsSync('/usr/bin/chromium'))
  sections.push(
    execFileSync(process.execPath, ['bench/html.mjs'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  )
else sections.push('## HTML report\n\nNot measured: /usr/bin/chromium is missing (apt-get install chromium).\n')
// 6. The access-log review at 1 M and 10 M rows against the engine's bare scan (bench/logs.mjs).
if (process.env.BENCH_LOGS !== '0') {
  sections.push(
    execFileSync(process.execPath, ['bench/logs.mjs'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    }),
  )
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`
const sha = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: root}).toString().trim()
  } catch {
    return 'unknown'
  }
})()
writeFileSync(
  join(root, 'BENCHMARKS.md'),
  `# Benchmarks

Written by \`npm run bench\` (${new Date().toISOString()}, commit ${sha}, sizes ${sizes.join(', ')}).
Machine: ${machine}. Every figure is a ratio against a baseline measured in the same run.

${sections.join('\n')}`,
)
console.error('wrote BENCHMARKS.md')
