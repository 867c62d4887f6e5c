import {createHash} from 'node:crypto'

import {buildPageData} from './html-model.js'
import {HTML_LABELS} from './html-i18n.js'
import {SCRIPT} from './html-script.js'
import {STYLE} from './html-style.js'
import type {Reporter} from './types.js'

/**
 * One self-contained page for auditors: a site map (each zone says who can enter, each terminal coloured by its
 * worst unwaived finding), a summary, filters and each terminal's details. No request of any kind: style and
 * script are inline, and a Content-Security-Policy allows nothing else (no fetch, no image, no font, no form), so
 * it works from a file: URL, offline, and nothing injected could phone home. The data travels as JSON inside
 * `<script type="application/json">` with `<`, `>`, `&` and line separators escaped, and is rendered as text.
 */
export const html: Reporter = {
  name: 'html',
  render(result, options) {
    const data = buildPageData(result, options.lang, options.details)
    const labels = HTML_LABELS[options.lang]
    const title =
      result.kind === 'audit' ? labels.title_audit : result.kind === 'logs' ? labels.title_logs : labels.title_validate
    const csp = [
      "default-src 'none'",
      `script-src '${sha256(SCRIPT)}'`,
      `style-src '${sha256(STYLE)}'`,
      "img-src 'none'",
      "connect-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; ')
    return `<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="fleet-audit ${escapeHtml(result.tool.version)}">
<title>${escapeHtml(`${title} — ${result.today}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top" id="top"></header>
<noscript><p>${escapeHtml(options.lang === 'ja' ? 'この報告書の表示には JavaScript が必要です（外部への通信はしません）。' : 'This report needs JavaScript to display (it makes no network request).')}</p></noscript>
<div class="layout">
<main>
<section id="filters" class="no-print"></section>
<section id="map"></section>
<section id="findings"></section>
<section id="summary"></section>
</main>
<aside><section id="detail" class="detail empty"></section></aside>
</div>
<script type="application/json" id="report-labels">${jsonForScript(labels)}</script>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`
  },
}

/**
 * JSON that cannot end its `<script>` element or open a comment: `<`, `>` and `&` become `\u003c`-style escapes
 * (still the same JSON), and U+2028/U+2029 too, for older parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  )
}

function escapeHtml(text: string): string {
  return text.replaceAll(/[&<>"']/g, (c) => `&#${c.codePointAt(0)};`)
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`
}
