// npm run screenshot: regenerates the README's picture of the bundled example's site map (docs/images/site-map.png)
// and the report it shows (docs/example-report.html), with the same command as `npm run example` and Debian's
// Chromium driven by playwright-core (nothing downloaded). Run after `npm run build`.
import {execFileSync} from 'node:child_process'
import {join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {chromium} from 'playwright-core'

const root = resolve(fileURLToPath(import.meta.url), '..', '..')
const html = join(root, 'docs', 'example-report.html')
const png = join(root, 'docs', 'images', 'site-map.png')
const ex = 'inventories/tohoku-example'
try {
  execFileSync(
    process.execPath,
    [
      'bin/run.js',
      'audit',
      '-i',
      ex,
      '--facts',
      `${ex}/facts`,
      '--now',
      '2026-11-27',
      '--lang',
      'en',
      '--format',
      'html',
      '-o',
      html,
    ],
    {cwd: root, stdio: 'inherit', env: {...process.env, NO_COLOR: '1'}},
  )
} catch (error) {
  // The example contains the incidents: exit 1 is the expected verdict; anything else is not.
  if (error.status !== 1) throw error
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
})
try {
  const page = await browser.newPage({viewport: {width: 1280, height: 800}})
  await page.goto(pathToFileURL(html).href)
  await page.waitForSelector('html[data-ready="1"]')
  // The Hachinohe counter: two NW terminals where retail staff can walk in; select one to show its details.
  await page.click('button.m[data-id="HC-NW-001"]')
  await page.evaluate(() => document.querySelector('[data-site="customer-center"]').scrollIntoView({block: 'start'}))
  await page.screenshot({path: png})
  console.error(`wrote ${png}`)
} finally {
  await browser.close()
}
