// The HTML report at fleet scale, in Debian's Chromium (playwright-core, nothing downloaded): how long the page takes
// to open and how quickly it answers a filter and a selection, against a baseline page in the same run that only
// embeds the JSON report (same bytes) and parses it. Prints a Markdown section; `--write` puts it into BENCHMARKS.md.
// Sizes: BENCH_HTML_SIZES=1000,10000 (default).
import {spawnSync} from 'node:child_process'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {loadavg} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {chromium} from 'playwright-core'

import {generate} from './generate.mjs'

const root = resolve(fileURLToPath(import.meta.url), '..', '..')
const out = join(root, 'bench', 'out')
const sizes = (process.env.BENCH_HTML_SIZES ?? '1000,10000').split(',').map(Number)
const REPS = 3
/**
 * The bound stated in BENCHMARKS.md: the page carries every terminal's declared data and facts, which the JSON
 * report does not, so it grows with the fleet, not with the findings: at most this many bytes per terminal, per
 * finding, plus the fixed part (style, script, labels, rule texts).
 */
const BOUND = {perTerminal: 2000, perFinding: 1000, fixed: 200 * 1024}
const bound = (terminals, findings) => BOUND.perTerminal * terminals + BOUND.perFinding * findings + BOUND.fixed

function cli(args, file) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, ['bin/run.js', ...args, '--output', file], {
    cwd: root,
    env: {...process.env, NO_COLOR: '1'},
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  if (![0, 1].includes(r.status)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return Number(process.hrtime.bigint() - t0) / 1e6
}

/** Wall time from navigation to the page's "ready" mark, and the page's own measure of it. */
async function load(browser, file, ready) {
  const page = await browser.newPage({viewport: {width: 1280, height: 800}})
  const requests = []
  page.on('request', (r) => r.url().startsWith('file:') || requests.push(r.url()))
  const t0 = performance.now()
  await page.goto(pathToFileURL(file).href)
  await page.waitForSelector(ready, {timeout: 120_000})
  const wall = performance.now() - t0
  if (requests.length > 0) throw new Error(`the page made requests: ${requests.join(', ')}`)
  return {page, wall}
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)
const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`

const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')
const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu']})
const rows = []
for (const n of sizes) {
  const {inventory, facts} = generate(join(out, `html-${n}`), n)
  // One terminal in ten gets facts saying it is set the other way: critical and high findings to draw and list.
  for (let t = 0; t < n; t += 10) {
    const f = join(facts, `T${String(t).padStart(6, '0')}.json`)
    const doc = JSON.parse(readFileSync(f, 'utf8'))
    doc.client.role = doc.client.role === 'nw' ? 'retail' : 'nw'
    writeFileSync(f, JSON.stringify(doc))
  }
  const args = ['audit', '-i', inventory, '--facts', facts, '--now', '2026-11-27', '--max-file-size', String(64 << 20)]
  const jsonFile = join(out, `html-${n}.json`)
  const htmlFile = join(out, `html-${n}.html`)
  const jsonMs = cli([...args, '--format', 'json'], jsonFile)
  const htmlMs = cli([...args, '--format', 'html'], htmlFile)
  const jsonBytes = statSync(jsonFile).size
  const findings = JSON.parse(readFileSync(jsonFile, 'utf8')).findings.length
  const htmlBytes = statSync(htmlFile).size
  // Baseline: the JSON report embedded the way the page embeds its data, parsed by the same browser.
  const baseFile = join(out, `html-${n}-baseline.html`)
  writeFileSync(
    baseFile,
    `<!doctype html><meta charset="utf-8"><script type="application/json" id="d">${readFileSync(jsonFile, 'utf8').replaceAll('<', '\\u003c')}</script><script>JSON.parse(document.getElementById('d').textContent);document.documentElement.setAttribute('data-ready','1')</script>`,
  )
  const base = [],
    page = [],
    inPage = [],
    filter = [],
    select = [],
    search = []
  for (let i = 0; i < REPS; i++) {
    const b = await load(browser, baseFile, 'html[data-ready]')
    base.push(b.wall)
    await b.page.close()
    const p = await load(browser, htmlFile, 'html[data-ready="1"]')
    page.push(p.wall)
    inPage.push(Number(await p.page.getAttribute('html', 'data-ready-ms')))
    // Responsiveness: the synchronous work of a filter change, a search keystroke and a selection.
    filter.push(
      await p.page.evaluate(() => {
        const s = document.querySelector('select[name=rule]')
        const t = performance.now()
        s.value = 'reconcile/role-mismatch'
        s.dispatchEvent(new Event('change'))
        return performance.now() - t
      }),
    )
    search.push(
      await p.page.evaluate(() => {
        const q = document.querySelector('input[name=q]')
        const t = performance.now()
        q.value = 't0042'
        q.dispatchEvent(new Event('input'))
        return performance.now() - t
      }),
    )
    select.push(
      await p.page.evaluate(() => {
        const m = document.querySelector('button.m[data-id="T000010"]')
        const t = performance.now()
        m.click()
        return performance.now() - t
      }),
    )
    await p.page.close()
  }
  const row = {
    n,
    findings,
    jsonBytes,
    htmlBytes,
    jsonMs,
    htmlMs,
    base: median(base),
    page: median(page),
    inPage: median(inPage),
    filter: median(filter),
    search: median(search),
    select: median(select),
  }
  rows.push(row)
  console.error(JSON.stringify(row))
  if (htmlBytes > bound(n, findings))
    throw new Error(`HTML ${htmlBytes} bytes is over the stated bound ${bound(n, findings)}`)
}
await browser.close()

const section = `## HTML report

The page of \`audit --format html\` for generated fleets (\`bench/html.mjs\`; one terminal in ten set the wrong way, so
the map and the findings list are full), opened from a file: URL in Debian's Chromium (headless, 1280×800,
playwright-core). Baseline in the same run: a page holding only the JSON report of the same audit in a
\`<script type="application/json">\` and parsing it. Median of ${REPS}; no request of any kind was made.
Responsiveness is the synchronous work of one interaction (filter by rule, one search keystroke, selecting a terminal).
Load average at start: ${loadAtStart} (wall times include waiting for a CPU; compare the ratios).

| terminals | findings | JSON report | HTML page | HTML / JSON size | open: baseline | open: page | × baseline | ready (in page) | filter | search | select |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.map((r) => `| ${r.n.toLocaleString('en')} | ${r.findings.toLocaleString('en')} | ${mb(r.jsonBytes)} | ${mb(r.htmlBytes)} | ${(r.htmlBytes / r.jsonBytes).toFixed(2)}× | ${fmt(r.base)} | ${fmt(r.page)} | ${(r.page / r.base).toFixed(2)}× | ${fmt(r.inPage)} | ${fmt(r.filter)} | ${fmt(r.search)} | ${fmt(r.select)} |`).join('\n')}

**Size bound:** the page holds every terminal's declared data and collected facts (the JSON report holds only
findings), so it is bounded per terminal: at most ${BOUND.perTerminal.toLocaleString('en')} bytes per terminal + ${BOUND.perFinding.toLocaleString('en')} bytes per finding +
${BOUND.fixed / 1024} KB (the benchmark fails otherwise): for 10,000 terminals with 2,000 findings, under ${mb(bound(10000, 2000))}. Each value
shown is cut at 2,000 characters. The findings table shows at most 1,000 rows at a time (narrow the filters to see
the others); the map always shows every terminal.
`
process.stdout.write(section)
if (process.argv.includes('--write')) {
  const file = join(root, 'BENCHMARKS.md')
  const text = readFileSync(file, 'utf8')
  const start = text.indexOf('## HTML report')
  const next = start === -1 ? -1 : text.indexOf('\n## ', start + 1)
  writeFileSync(
    file,
    start === -1
      ? `${text.trimEnd()}\n\n${section}`
      : `${text.slice(0, start)}${section}${next === -1 ? '' : text.slice(next)}`,
  )
  console.error('wrote the HTML section of BENCHMARKS.md')
}
