/**
 * The HTML report in a real browser: Debian's Chromium, headless, every request intercepted. The reports are made by
 * the compiled CLI (`bin/run.js`) from the bundled example and from a hostile inventory.
 */
import {mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, run, tempDir} from '../commands/helpers.js'
import {brightMarkers, launch, markerStates, openReport} from './html-support.js'

const tmp = tempDir('fa-html-')
let browser: Browser
let exampleHtml: string
let exampleJa: string
let validateHtml: string
let example: {
  terminals: {id: string}[]
  findings: {terminal: string; rule: string; severity: string; waiver?: unknown}[]
}

/** Hostile text: markup, an attribute break-out, an inline handler, a script end tag and a right-to-left override. */
const HOSTILE =
  '<script>window.__pwned=1</script>"onload="window.__pwned=2" <img src=x onerror="window.__pwned=3"></script><b>x</b>\u202Eevil\u2066'

/** For fields of at most 64 characters. */
const SHORT = '<script>x()</script>"onload="<b>\u202Eevil'

function hostileInventory(dir: string): {inventory: string; facts: string} {
  const h = JSON.stringify(HOSTILE)
  const sh = JSON.stringify(SHORT)
  const inventory = join(dir, 'hostile.yaml')
  writeFileSync(
    inventory,
    `version: 1
companies:
  - {id: grid, name: ${h}, side: nw}
  - {id: shop, name: ${h}, side: retail}
people:
  - {id: p-grid, name: ${h}, company: grid}
sites:
  - id: s1
    name: ${h}
    subnets: [10.1.0.0/16]
    zones:
      - {id: z-shared, name: ${h}, kind: counter, access: [grid, shop]}
      - {id: z-shop, name: ${h}, kind: office, access: [shop]}
terminals:
  - {id: T-1, hostname: t-1, address: 10.1.0.1, site: s1, zone: z-shared, owner: grid, role: nw, os: ${sh}, serial: ${sh}, tags: [${sh}], note: ${h}}
  - {id: T-2, hostname: t-2, address: 10.1.0.2, site: s1, zone: z-shop, owner: shop, role: retail, note: ${h}}
policy: {timezone: Asia/Tokyo, max_waiver_days: 90}
defaults: {ssh: {user: audit, profile: linux}}
waivers:
  - {id: W-1, rule: placement/nw-terminal-in-shared-zone, terminals: [T-1], reason: ${h}, approver: p-grid, approved: "2026-11-01", expires: "2026-12-01"}
`,
  )
  const facts = join(dir, 'facts')
  mkdirSync(facts)
  const doc = (id: string, ok: boolean) => ({
    terminal: id,
    collected_at: '2026-11-26T10:00:00+09:00',
    outcome: ok ? 'ok' : 'output-invalid',
    ...(ok
      ? {
          host_key: 'SHA256:qncct97n3jZFSnKDmgMqm/o9pxXV591enuKkHHL36bU',
          client: {
            terminal_id: id,
            role: 'retail',
            auth: 'device',
            serial: HOSTILE.slice(0, 200),
            macs: [],
            ips: ['10.1.0.2'],
          },
          os: {hostname: HOSTILE.slice(0, 200), machine_id: HOSTILE.slice(0, 200), name: HOSTILE.slice(0, 200)},
        }
      : {error: {reason: HOSTILE, raw: HOSTILE}}),
    meta: {[HOSTILE]: HOSTILE},
  })
  writeFileSync(join(facts, 'T-1.json'), JSON.stringify(doc('T-1', false)))
  writeFileSync(join(facts, 'T-2.json'), JSON.stringify(doc('T-2', true)))
  return {inventory, facts}
}

async function report(args: string[], file: string, expectExit = 1): Promise<string> {
  const out = join(tmp.dir, file)
  const r = await run([...args, '--format', 'html', '--output', out], {timeout: 60_000})
  // The report went to a file: stderr carries the one-line verdict and nothing else.
  expect(r.stderr).toMatch(/^(\d+ findings|指摘 \d+ 件)[^\n]*--fail-on \w+[)）]\n$/)
  expect(r.code).toBe(expectExit)
  return out
}

beforeAll(async () => {
  const audit = ['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS, '--now', EXAMPLE_NOW]
  const json = await run([...audit, '--format', 'json'])
  example = JSON.parse(json.stdout)
  ;[exampleHtml, exampleJa, validateHtml] = await Promise.all([
    report(audit, 'example.html'),
    report([...audit, '--lang', 'ja'], 'example-ja.html'),
    report(['inventory', 'validate', '-i', EXAMPLE, '--now', EXAMPLE_NOW], 'validate.html'),
  ])
  browser = await launch()
}, 180_000)

afterAll(async () => {
  await browser?.close()
  tmp.remove()
})

describe('HTML report of the bundled example, in Chromium', () => {
  it('loads from a file: URL with no console error and no request of any kind', async () => {
    const p = await openReport(browser, exampleHtml)
    expect(p.errors).toEqual([])
    expect(p.requests).toEqual([])
    // Nothing in the file could reach out: no src/href attribute anywhere, a CSP that allows nothing external.
    const text = readFileSync(exampleHtml, 'utf8')
    expect(text).not.toMatch(/\s(src|href)=/)
    expect(text).toMatch(/Content-Security-Policy" content="default-src 'none'/)
    await p.close()
  })

  it('draws one marker per declared terminal, coloured by the incidents of the example', async () => {
    const p = await openReport(browser, exampleHtml)
    const states = await markerStates(p.page)
    expect(Object.keys(states).sort()).toEqual(example.terminals.map((t) => t.id).sort())
    // The four incidents: NW terminals at the shared counter and in the training room, retail PCs set to NW, the
    // disaster-reception PC under an expired waiver: critical. The one under a valid NW-approved waiver: waived.
    for (const id of [
      'HC-NW-001',
      'HC-NW-002',
      'CC-NW-301',
      'CC-NW-302',
      'IS-RT-101',
      'IS-RT-102',
      'SK-RT-201',
      'CC-DR-310',
    ])
      expect(states[id], id).toBe('critical')
    expect(states['CC-DR-311']).toBe('waived')
    // Correctly placed terminals with good facts are clean; planned and removed ones were not verified.
    for (const id of ['HC-NW-010', 'HC-RT-020', 'CC-NW-320', 'IS-NW-110']) expect(states[id], id).toBe('clean')
    expect(states['IS-RT-104']).toBe('unverified')
    expect(states['HC-NW-003']).toBe('unverified')
    // Every terminal with an unwaived finding is drawn in its worst severity, per the JSON report.
    for (const f of example.findings)
      if (!f.waiver) expect(['critical', 'high', 'medium', 'low', 'info']).toContain(states[f.terminal])
    // The colours really differ (critical red, waived striped, clean green, unverified dashed white).
    const style = (id: string) =>
      p.page.$eval(`button.m[data-id="${id}"]`, (e) => {
        const s = getComputedStyle(e)
        return `${s.backgroundColor}|${s.backgroundImage}|${s.borderTopStyle}`
      })
    const [crit, waived, clean, unverified] = await Promise.all(
      ['HC-NW-001', 'CC-DR-311', 'HC-NW-010', 'HC-NW-003'].map(style),
    )
    expect(crit).toMatch(/^rgb\(179, 0, 27\)/)
    expect(waived).toMatch(/repeating-linear-gradient/)
    expect(clean).toMatch(/^rgb\(43, 138, 62\)/)
    expect(unverified).toMatch(/^rgb\(255, 255, 255\).*dashed$/)
    expect(new Set([crit, waived, clean, unverified]).size).toBe(4)
    // The zone says who can enter: the Hachinohe counter is shared, and names both companies.
    const counter = await p.page.$eval('[data-zone="hc-counter"]', (e) => ({
      reach: e.getAttribute('data-reach'),
      text: e.textContent,
    }))
    expect(counter.reach).toBe('shared')
    expect(counter.text).toContain('東北電力ネットワーク株式会社')
    expect(counter.text).toContain('東北電力株式会社（小売）')
    expect(await p.page.getAttribute('[data-zone="hc-nw-office"]', 'data-reach')).toBe('nw-only')
    expect(await p.page.getAttribute('[data-zone="hc-retail-office"]', 'data-reach')).toBe('retail')
    await p.close()
  })

  it('filters by severity, site, rule and text', async () => {
    const p = await openReport(browser, exampleHtml)
    const all = example.terminals.map((t) => t.id).sort()
    expect(await brightMarkers(p.page)).toEqual(all)
    await p.page.selectOption('select[name=rule]', 'waiver/expired')
    expect(await brightMarkers(p.page)).toEqual(['CC-DR-310'])
    expect(await p.page.$$eval('#findings-table tbody tr', (r) => r.length)).toBe(1)
    await p.page.selectOption('select[name=rule]', '')
    await p.page.selectOption('select[name=site]', 'hachinohe')
    expect(await brightMarkers(p.page)).toEqual(['HC-NW-001', 'HC-NW-002', 'HC-NW-003', 'HC-NW-010', 'HC-RT-020'])
    await p.page.selectOption('select[name=site]', '')
    // Only high: the retail PCs set to NW also break role-mismatch (high); the NW-at-the-counter ones do not.
    for (const s of ['critical', 'medium', 'low', 'info']) await p.page.uncheck(`input[name=sev-${s}]`)
    const high = await brightMarkers(p.page)
    expect(high).toEqual(
      [...new Set(example.findings.filter((f) => f.severity === 'high' && !f.waiver).map((f) => f.terminal))].sort(),
    )
    expect(high).toContain('IS-RT-101')
    expect(high).not.toContain('HC-NW-001')
    for (const s of ['critical', 'medium', 'low', 'info']) await p.page.check(`input[name=sev-${s}]`)
    await p.page.fill('input[name=q]', 'hc-nw-00')
    expect(await brightMarkers(p.page)).toEqual(['HC-NW-001', 'HC-NW-002', 'HC-NW-003'])
    expect(p.errors).toEqual([])
    await p.close()
  })

  it('shows a selected terminal: declared data, facts, findings with rationale and remediation, waiver', async () => {
    const p = await openReport(browser, exampleHtml)
    await p.page.click('button.m[data-id="HC-NW-001"]')
    const detail = await p.page.textContent('#detail')
    expect(detail).toContain('hc-nw-001') // declared hostname
    expect(detail).toContain('inventories/tohoku-example/sites/hachinohe.yaml:')
    expect(detail).toContain('client.role') // collected facts
    expect(detail).toContain('placement/nw-terminal-in-shared-zone')
    expect(detail).toMatch(/Why: .*Hachinohe/s) // the rule's rationale names the incident
    expect(detail).toContain('Remediation: ')
    expect(await p.page.getAttribute('button.m[data-id="HC-NW-001"]', 'class')).toContain('sel')
    // A finding row selects its terminal too; the waived one shows its waiver.
    await p.page.click('#findings-table button[data-select="CC-DR-311"]')
    const waived = await p.page.textContent('#detail')
    expect(waived).toContain('W-2026-011')
    expect(waived).toContain('nw-suzuki')
    expect(waived).toContain('2026-12-25')
    expect(p.errors).toEqual([])
    await p.close()
  })

  it('lists the summary: counts, failing terminals, expiring waivers, run inputs with hashes', async () => {
    const p = await openReport(browser, exampleHtml)
    const summary = (await p.page.textContent('#summary'))!
    expect(summary).toContain('W-2026-011') // expires 2026-12-25, within 30 days of 2026-11-27
    expect(summary).toContain('inventories/tohoku-example/sites/hachinohe.yaml')
    expect(summary).toMatch(/[0-9a-f]{64}/)
    expect(summary).toContain('inventories/tohoku-example/facts')
    expect(summary).toContain('rules/placement.yaml')
    expect(summary).toContain('No ledger was given')
    await p.close()
  })

  it('produces a 1280×800 screenshot and an A4 PDF', async () => {
    const p = await openReport(browser, exampleHtml)
    await p.page.click('button.m[data-id="HC-NW-001"]')
    const png = await p.page.screenshot({path: join(tmp.dir, 'example.png')})
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 800])
    const pdf = await p.page.pdf({path: join(tmp.dir, 'example.pdf'), format: 'A4', printBackground: true})
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    // A4 is 595×842 points; the print stylesheet hides the filters but keeps the map and findings.
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 59[45][.\d]* 84[12][.\d]*\]/)
    expect(statSync(join(tmp.dir, 'example.pdf')).size).toBeGreaterThan(20_000)
    await p.page.emulateMedia({media: 'print'})
    expect(await p.page.isVisible('#filters')).toBe(false)
    expect(await p.page.isVisible('#map')).toBe(true)
    await p.close()
  })

  it('renders Japanese with real glyphs (a CJK font is installed)', async () => {
    const p = await openReport(browser, exampleJa)
    expect(p.errors).toEqual([])
    expect(await p.page.textContent('h1')).toBe('fleet-audit 監査報告書')
    expect(await p.page.getAttribute('html', 'lang')).toBe('ja')
    expect(await p.page.textContent('#map')).toContain('入室できる会社')
    // Without a CJK font every kanji is the same "tofu" box: two different words would look the same.
    const shots = []
    for (const word of ['監査報告', '拠点図表']) {
      await p.page.evaluate((w) => {
        document.querySelector('h1')!.textContent = w
      }, word)
      shots.push(await p.page.locator('h1').screenshot())
    }
    expect(shots[0].equals(shots[1])).toBe(false)
    const width = await p.page.$eval('h1', (e) => e.getBoundingClientRect().width)
    expect(width).toBeGreaterThan(40)
    await p.close()
  })

  it('inventory validate: terminals without facts are never shown clean', async () => {
    const p = await openReport(browser, validateHtml)
    const states = await markerStates(p.page)
    expect(states['HC-NW-010']).toBe('unverified')
    expect(states['HC-NW-001']).toBe('critical')
    expect(Object.values(states)).not.toContain('clean')
    expect(p.errors).toEqual([])
    expect(p.requests).toEqual([])
    await p.close()
  })
})

describe('HTML report with hostile text in every field', () => {
  let hostileHtml: string
  beforeAll(async () => {
    const {inventory, facts} = hostileInventory(tmp.dir)
    hostileHtml = await report(['audit', '-i', inventory, '--facts', facts, '--now', '2026-11-27'], 'hostile.html')
  })

  it('shows markup, handlers and bidi overrides as inert, visible text', async () => {
    const text = readFileSync(hostileHtml, 'utf8')
    // The data block holds no `<` at all, so it cannot end its script element.
    const data = text.slice(
      text.indexOf('id="report-data">'),
      text.indexOf('</script>', text.indexOf('id="report-data">')),
    )
    expect(data).not.toContain('<')
    expect(text).not.toContain('\u202E')

    const p = await openReport(browser, hostileHtml)
    expect(p.errors).toEqual([])
    expect(p.requests).toEqual([])
    await p.page.click('button.m[data-id="T-1"]')
    await p.page.evaluate(() => document.querySelector('#detail')!.scrollIntoView())
    const dom = await p.page.evaluate(() => ({
      pwned: (window as unknown as {__pwned?: number}).__pwned,
      scripts: document.querySelectorAll('script').length,
      imgs: document.querySelectorAll('img').length,
      bold: document.querySelectorAll('b').length,
      onload: document.querySelectorAll('[onload],[onerror]').length,
      body: document.body.innerText,
    }))
    expect(dom.pwned).toBeUndefined()
    expect(dom.scripts).toBe(3)
    expect(dom.imgs).toBe(0)
    expect(dom.bold).toBe(0)
    expect(dom.onload).toBe(0)
    // Shown literally, with the override made visible instead of reordering the text.
    expect(dom.body).toContain('<script>window.__pwned=1</script>')
    expect(dom.body).toContain('"onload="window.__pwned=2"')
    expect(dom.body).toContain('\\u202eevil\\u2066')
    expect(dom.body).not.toContain('\u202E')
    // It reached every kind of field: site, zone, company, declared data, facts (keys too), waiver reason.
    const count = dom.body.split('<script>window.__pwned=1').length - 1
    expect(count).toBeGreaterThanOrEqual(10)
    const detail = (await p.page.textContent('#detail'))!
    for (const label of ['os', 'serial', 'tags', 'note', 'error.reason', 'error.raw', 'Reason: '])
      expect(detail).toContain(label)
    await p.page.click('button.m[data-id="T-2"]')
    const t2 = (await p.page.textContent('#detail'))!
    expect(t2).toContain('os.hostname<script>')
    expect(t2).toContain('meta.<script>')
    await p.close()
  })
})

describe('HTML report of a log review, in Chromium', () => {
  it('logs analyze --format html: the site map marks the terminals whose use broke the barrier, with no error or request', async () => {
    const mapping = `${EXAMPLE}/logs/customer-system.yaml`
    const file = await report(
      [
        'logs',
        'analyze',
        EXAMPLE,
        '--logs',
        mapping,
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--now',
        EXAMPLE_NOW,
      ],
      'logs.html',
    )
    const p = await openReport(browser, file)
    expect(p.errors).toEqual([])
    expect(p.requests).toEqual([])
    const states = await markerStates(p.page)
    expect(Object.keys(states).sort()).toEqual(example.terminals.map((t) => t.id).sort())
    // The counter terminals used for competitors' customers and the temp-staff PC set to NW are critical in the logs too.
    for (const id of ['HC-NW-001', 'IS-RT-101', 'CC-DR-310']) expect(states[id], id).toBe('critical')
    // Zones say who can enter (the declared inventory reached the page), never "access not known".
    const shown = await p.page.innerText('body')
    expect(shown).toContain('shared: NW and retail can enter')
    expect(shown).not.toContain('access not known')
    expect(await p.page.innerText('h1')).toBe('fleet-audit: access-log review report')
    await p.close()
  })
})
