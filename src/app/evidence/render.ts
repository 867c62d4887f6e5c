import {reporters} from '../../report/index.js'
import type {BundleAudit} from './bundle-audit.js'
import {LAYOUT} from './layout.js'

/**
 * The reports of a bundle, rendered from its audit: `evidence create` writes these bytes and `evidence verify`
 * renders them again from its re-run and compares byte for byte. Rendering is a pure function of the result and
 * the details (no clock, no locale, no random order, no absolute path: SARIF paths are already bundle-relative, so
 * the fixed `cwd` only matters for a path that is not, and then gives the same answer everywhere).
 */
export function renderBundleReports(
  audit: Pick<BundleAudit, 'result' | 'details'>,
  lang: 'en' | 'ja',
): Record<string, string> {
  const options = {lang, color: false, cwd: '/', details: audit.details}
  return {
    [LAYOUT.reports.html]: reporters.html.render(audit.result, options),
    [LAYOUT.reports.json]: reporters.json.render(audit.result, options),
    [LAYOUT.reports.sarif]: reporters.sarif.render(audit.result, options),
  }
}

const MAX_SHOWN = 120

/**
 * Where a report in the bundle first differs from the one rendered from the re-run, for a person: the first
 * differing value of its data (naming the finding or terminal it belongs to), or else the first differing line.
 */
export function describeReportDifference(path: string, recorded: string, rerendered: string): string {
  const [a, b] =
    path === LAYOUT.reports.html ? [pageData(recorded), pageData(rerendered)] : [parse(recorded), parse(rerendered)]
  if (a !== undefined && b !== undefined) {
    const d = firstDifference(a, b, '')
    if (d) return `${d.path}${owner(a, b, d.path)}: the bundle has ${shown(d.a)}, the re-run ${shown(d.b)}`
  }

  const la = recorded.split('\n')
  const lb = rerendered.split('\n')
  let i = 0
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++
  const at = [...(la[i] ?? '')].findIndex((c, k) => c !== [...(lb[i] ?? '')][k])
  const from = Math.max(0, at - 20)
  return `line ${i + 1}: the bundle has ${shown(la[i]?.slice(from, from + MAX_SHOWN))}, the re-run ${shown(lb[i]?.slice(from, from + MAX_SHOWN))}`
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** The JSON the page's script renders (its only data), or undefined. */
function pageData(html: string): unknown {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)
  return m ? parse(m[1]) : undefined
}

function firstDifference(a: unknown, b: unknown, path: string): {path: string; a: unknown; b: unknown} | undefined {
  if (a === b) return undefined
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  )
    return {path: path || '(the whole document)', a, b}
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return {path: `${path}[${i}]`, a: a[i], b: b[i]}
      const d = firstDifference(a[i], b[i], `${path}[${i}]`)
      if (d) return d
    }

    return undefined
  }

  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    const d = firstDifference(ra[k], rb[k], path ? `${path}.${k}` : k)
    if (d) return d
  }

  return undefined
}

/** " (terminal T, rule R)" for a path inside a finding, result or terminal, from whichever side has it. */
function owner(a: unknown, b: unknown, path: string): string {
  const m = /^(findings|terminals|runs\[0\]\.results)\[(\d+)\]/.exec(path)
  if (!m) return ''
  const pick = (doc: unknown): Record<string, unknown> | undefined => {
    let list = doc as Record<string, unknown> | undefined
    for (const part of m[1].split('.')) {
      const [, key, index] = /^(\w+)(?:\[(\d+)\])?$/.exec(part) ?? []
      list = list?.[key] as Record<string, unknown> | undefined
      if (index !== undefined)
        list = (list as unknown as unknown[] | undefined)?.[Number(index)] as Record<string, unknown> | undefined
    }

    return (list as unknown as Record<string, unknown>[] | undefined)?.[Number(m[2])]
  }

  const item = pick(b) ?? pick(a)
  if (!item) return ''
  const terminal = item.terminal ?? (item.properties as Record<string, unknown> | undefined)?.terminal ?? item.id
  const rule = item.rule ?? item.ruleId
  return ` (${[terminal && `terminal ${String(terminal)}`, rule && `rule ${String(rule)}`].filter(Boolean).join(', ')})`
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value)
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text
}
