/**
 * Opens HTML reports in Debian's Chromium (`/usr/bin/chromium`, installed by test/support/ensure-chromium.mjs),
 * driven by playwright-core, which downloads nothing. Every request the page makes is intercepted: the page itself
 * (its file: URL) is the only one allowed, everything else is recorded and aborted, so a test can assert "no
 * network request of any kind". Console errors and uncaught page errors are recorded too.
 */
import {pathToFileURL} from 'node:url'

import {type Browser, chromium, type Page} from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

export async function launch(): Promise<Browser> {
  // As root Chromium refuses to start with its sandbox; the page is our own report, opened from a file.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
  })
}

/** A loaded report page and what it tried to do. */
export interface OpenedPage {
  page: Page
  /** Requests other than the page's own document. */
  requests: string[]
  /** Console messages of type error, and uncaught exceptions. */
  errors: string[]
  close(): Promise<void>
}

export async function openReport(
  browser: Browser,
  file: string,
  viewport = {width: 1280, height: 800},
): Promise<OpenedPage> {
  const context = await browser.newContext({viewport, offline: true, javaScriptEnabled: true})
  const page = await context.newPage()
  const url = pathToFileURL(file).href
  const requests: string[] = []
  const errors: string[] = []
  await context.route('**/*', (route) => {
    const u = route.request().url()
    if (u === url) return route.continue()
    requests.push(u)
    return route.abort()
  })
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  // A page that fetches anything (CSS, fonts, images, beacons) shows up here too, even if routing missed it.
  page.on('request', (r) => {
    if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url())
  })
  await page.goto(url)
  await page.waitForSelector('html[data-ready="1"]', {timeout: 60_000})
  return {page, requests, errors, close: () => context.close()}
}

/** The marker state (`data-state`) of every terminal on the map. */
export async function markerStates(page: Page): Promise<Record<string, string>> {
  return page.$$eval('button.m[data-id]', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-id'), e.getAttribute('data-state')])),
  )
}

/** Ids of the markers not dimmed by the filters. */
export async function brightMarkers(page: Page): Promise<string[]> {
  return page.$$eval('button.m[data-id]:not(.dim)', (els) => els.map((e) => e.getAttribute('data-id')!).sort())
}
