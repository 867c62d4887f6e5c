import {type AuditResult} from '../model/result.js'
import {Chalk, type ChalkInstance} from 'chalk'
import Table from 'cli-table3'

import {severityLabel, zoneKindLabel} from '../model/i18n.js'
import type {Finding, Severity} from '../model/types.js'
import {NOT_COLLECTED} from '../model/result.js'
import {sanitizeLine} from '../io/text.js'
import {summaryLine} from './summary.js'
import type {RenderOptions, Reporter} from './types.js'
import {displayWidth, padDisplay, wrapText} from './width.js'

const LABELS = {
  en: {
    head: ['severity', 'terminal', 'rule', 'message'],
    none: 'No findings.',
    waived: 'waived',
    undeclared: '(undeclared)',
    until: 'until',
    unchecked: (n: number) =>
      `Not checked: ${n} terminal${n === 1 ? '' : 's'} whose facts rules could not be evaluated`,
    rules: 'rules',
    more: (n: number) => `… ${n} more (--format json lists all)`,
    unselected: (n: number) => `${n} terminal${n === 1 ? '' : 's'} not collected in this run`,
  },
  ja: {
    head: ['重大度', '端末', 'ルール', '内容'],
    none: '指摘事項はありません。',
    waived: '免除',
    undeclared: '（未登録）',
    until: '期限',
    unchecked: (n: number) => `未確認: 実機情報のルールを評価できなかった端末 ${n} 台`,
    rules: 'ルール',
    more: (n: number) => `… ほか ${n} 台（--format json ですべて表示）`,
    unselected: (n: number) => `今回収集しなかった端末 ${n} 台`,
  },
}

/** Not-checked terminals listed on a terminal before a count (a live run of one site leaves the others out). */
const MAX_UNCHECKED_LINES = 50

/** Below this many columns for the message, a table is unreadable: each finding becomes a block of lines. */
const MIN_MESSAGE_COLUMNS = 30

/** What cli-table3 adds around four columns: a border before each and one after, one space of padding each side. */
const TABLE_OVERHEAD = 4 * 3 + 1

interface Row {
  severity: Severity
  waived: boolean
  severityText: string
  terminal: string
  rule: string
  message: string
}

/**
 * People's format: findings grouped by site and zone. Fits `options.width` columns: the message column wraps,
 * and when even that leaves too little room (80 columns), each finding is a block: severity, terminal and rule on
 * one line, the message wrapped below. Widths are display widths, so Japanese stays aligned.
 */
export const table: Reporter = {
  name: 'table',
  render(result, options) {
    const c = new Chalk({level: options.color ? 1 : 0})
    const l = LABELS[options.lang]
    const groups = [...groupByPlace(result.findings)].map(([key, findings]) => ({
      title: placeTitle(result, key, l.undeclared, options.lang),
      rows: findings.map((f) => toRow(f, options)),
    }))
    const all = groups.flatMap((g) => g.rows)
    const col = {
      severity: Math.max(displayWidth(l.head[0]), ...all.map((r) => displayWidth(r.severityText))),
      terminal: Math.max(displayWidth(l.head[1]), ...all.map((r) => displayWidth(r.terminal))),
      rule: Math.max(displayWidth(l.head[2]), ...all.map((r) => displayWidth(r.rule))),
      message: Math.max(displayWidth(l.head[3]), ...all.map((r) => displayWidth(r.message))),
    }
    const room =
      options.width === undefined
        ? col.message
        : options.width - TABLE_OVERHEAD - col.severity - col.terminal - col.rule
    const blocks = room < Math.min(MIN_MESSAGE_COLUMNS, col.message)
    const messageWidth = Math.min(col.message, room)
    // Blocks have no header row: their columns are as wide as the widest value.
    const blockColumns = {
      severity: Math.max(0, ...all.map((r) => displayWidth(r.severityText))),
      terminal: Math.max(0, ...all.map((r) => displayWidth(r.terminal))),
    }

    const lines: string[] = []
    if (result.findings.length === 0) lines.push(l.none)
    for (const g of groups) {
      lines.push('', c.bold(g.title))
      if (blocks) lines.push(...renderBlocks(g.rows, blockColumns, options.width ?? 80, c))
      else lines.push(renderTable(g.rows, [col.severity, col.terminal, col.rule, messageWidth], l.head, options, c))
    }

    if (result.not_evaluated.length > 0) {
      // Never folded into a pass: a terminal whose facts rules could not run is listed with the reason. Terminals a
      // live run did not select are counted in one line (`--only X` of a large fleet would list them all).
      const listed = result.not_evaluated.filter((n) => n.reason !== NOT_COLLECTED)
      const unselected = result.not_evaluated.length - listed.length
      lines.push('', c.yellow.bold(l.unchecked(result.not_evaluated.length)))
      for (const n of listed.slice(0, MAX_UNCHECKED_LINES)) {
        lines.push(`  ${sanitizeLine(n.terminal)}  ${sanitizeLine(n.reason)} (${n.rules.length} ${l.rules})`)
      }

      if (listed.length > MAX_UNCHECKED_LINES) lines.push(`  ${l.more(listed.length - MAX_UNCHECKED_LINES)}`)
      if (unselected > 0) lines.push(`  ${l.unselected(unselected)}`)
    }

    const {head, failing} = summaryLine(result, options.lang)
    const verdict = result.summary.failing > 0 ? c.red.bold(failing) : c.green(failing)
    lines.push('', `${head}${options.lang === 'ja' ? '。' : '; '}${verdict}`)
    return `${lines.join('\n')}\n`
  },
}

function toRow(f: Finding, options: RenderOptions): Row {
  const l = LABELS[options.lang]
  const waived = f.waiver ? ` [${l.waived}: ${sanitizeLine(f.waiver.id)} ${l.until} ${f.waiver.expires}]` : ''
  return {
    severity: f.severity,
    waived: Boolean(f.waiver),
    severityText: severityLabel(f.severity, options.lang),
    terminal: sanitizeLine(f.terminal),
    rule: f.rule,
    message: sanitizeLine(f.message[options.lang]) + waived,
  }
}

/**
 * Rows of one table at most: cli-table3's layout takes time quadratic in its rows (10,000 findings of one place took
 * 5.8 s, 30,000 took 37 s), so a longer group is several tables, each with its header.
 */
const TABLE_ROWS = 500

function renderTable(rows: Row[], widths: number[], head: string[], options: RenderOptions, c: ChalkInstance): string {
  const tables: string[] = []
  for (let at = 0; at < Math.max(rows.length, 1); at += TABLE_ROWS) {
    const t = new Table({
      head,
      // Every column at the fleet-wide width, so the tables of all sites line up; the message pre-wrapped by us.
      colWidths: widths.map((w) => w + 2),
      style: {head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [], compact: true},
    })
    for (const r of rows.slice(at, at + TABLE_ROWS))
      t.push([paint(c, r), r.terminal, r.rule, wrapText(r.message, widths[3]).join('\n')])
    tables.push(t.toString())
  }

  return tables.join('\n')
}

/** The narrow layout: `severity  terminal  rule` on one line, the message wrapped and indented below it. */
function renderBlocks(
  rows: Row[],
  col: {severity: number; terminal: number},
  width: number,
  c: ChalkInstance,
): string[] {
  const out: string[] = []
  const indent = '    '
  for (const r of rows) {
    const pad = ' '.repeat(col.severity - displayWidth(r.severityText))
    // The rule id cannot be broken; when it does not fit beside the rest, it goes on its own line.
    if (2 + col.severity + 2 + col.terminal + 2 + displayWidth(r.rule) <= width)
      out.push(`  ${paint(c, r)}${pad}  ${padDisplay(r.terminal, col.terminal)}  ${r.rule}`)
    else out.push(`  ${paint(c, r)}  ${r.terminal}`, `${indent}${r.rule}`)
    for (const line of wrapText(r.message, Math.max(20, width - indent.length))) out.push(`${indent}${line}`)
  }

  return out
}

function groupByPlace(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>()
  const sorted = [...findings].sort((a, b) => key(a).localeCompare(key(b)))
  for (const f of sorted) {
    const k = key(f)
    const group = groups.get(k)
    if (group) group.push(f)
    else groups.set(k, [f])
  }

  return groups
}

function key(f: Finding): string {
  return `${f.site ?? '~'}\u0000${f.zone ?? '~'}`
}

function placeTitle(result: AuditResult, k: string, undeclared: string, lang: 'en' | 'ja'): string {
  const [site, zone] = k.split('\u0000')
  if (site === '~') return undeclared
  const z = result.inventory.zones[zone]
  const siteName = sanitizeLine(result.inventory.sites[site] ?? site)
  if (!z) return siteName
  const kind = sanitizeLine(zoneKindLabel(z.kind, lang))
  return lang === 'ja'
    ? `${siteName} / ${sanitizeLine(z.name)}（${kind}）`
    : `${siteName} / ${sanitizeLine(z.name)} (${kind})`
}

/** The severity word, coloured by severity (dimmed when waived). */
function paint(c: ChalkInstance, r: Row): string {
  const text = r.severityText
  if (r.waived) return c.dim(text)
  const colors: Record<Severity, (t: string) => string> = {
    critical: (t) => c.bgRed.white.bold(t),
    high: (t) => c.red.bold(t),
    medium: (t) => c.yellow(t),
    low: (t) => c.blue(t),
    info: (t) => c.gray(t),
  }
  return colors[r.severity](text)
}
