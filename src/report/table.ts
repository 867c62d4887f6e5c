import {Chalk, type ChalkInstance} from 'chalk'
import Table from 'cli-table3'

import type {AuditResult} from '../audit.js'
import type {Finding, Severity} from '../model.js'
import {NOT_COLLECTED} from '../rules/unevaluated.js'
import {SEVERITIES} from '../model.js'
import {sanitizeLine} from './sanitize.js'
import type {RenderOptions, Reporter} from './types.js'

const LABELS = {
  en: {head: ['severity', 'terminal', 'rule', 'message'], none: 'No findings.', waived: 'waived', by: 'by', failing: 'failing', total: 'findings', undeclared: '(undeclared)', until: 'until',
    unchecked: (n: number) => `Not checked: ${n} terminal${n === 1 ? '' : 's'} whose facts rules could not be evaluated`, rules: 'rules', more: (n: number) => `… ${n} more (--format json lists all)`,
    unselected: (n: number) => `${n} terminal${n === 1 ? '' : 's'} not collected in this run`},
  ja: {head: ['重大度', '端末', 'ルール', '内容'], none: '指摘事項はありません。', waived: '免除', by: '承認', failing: '不合格', total: '指摘', undeclared: '（未登録）', until: '期限',
    unchecked: (n: number) => `未確認: 実機情報のルールを評価できなかった端末 ${n} 台`, rules: 'ルール', more: (n: number) => `… ほか ${n} 台（--format json ですべて表示）`,
    unselected: (n: number) => `今回収集しなかった端末 ${n} 台`},
}

/** Not-checked terminals listed on a terminal before a count (a live run of one site leaves the others out). */
const MAX_UNCHECKED_LINES = 50

/** People's format: findings grouped by site and zone, aligned for wide (Japanese) characters. */
export const table: Reporter = {
  name: 'table',
  render(result, options) {
    const c = new Chalk({level: options.color ? 1 : 0})
    const l = LABELS[options.lang]
    const lines: string[] = []
    if (result.findings.length === 0) lines.push(l.none)
    for (const [key, findings] of groupByPlace(result.findings)) {
      lines.push('', c.bold(placeTitle(result, key, l.undeclared)))
      const t = new Table({
        head: l.head,
        style: {head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [], compact: true},
      })
      for (const f of findings) {
        const msg = sanitizeLine(f.message[options.lang])
        const waived = f.waiver ? ` [${l.waived}: ${sanitizeLine(f.waiver.id)} ${l.until} ${f.waiver.expires}]` : ''
        t.push([paint(c, f.severity, f.waiver ? c.dim(f.severity) : f.severity), sanitizeLine(f.terminal), f.rule, msg + waived])
      }

      lines.push(t.toString())
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

    lines.push('', summaryLine(result, options, c))
    return `${lines.join('\n')}\n`
  },
}

function groupByPlace(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>()
  const sorted = [...findings].sort((a, b) => key(a).localeCompare(key(b)))
  for (const f of sorted) {
    const k = key(f)
    groups.set(k, [...(groups.get(k) ?? []), f])
  }

  return groups
}

function key(f: Finding): string {
  return `${f.site ?? '~'}\u0000${f.zone ?? '~'}`
}

function placeTitle(result: AuditResult, k: string, undeclared: string): string {
  const [site, zone] = k.split('\u0000')
  if (site === '~') return undeclared
  const z = result.inventory.zones[zone]
  const siteName = sanitizeLine(result.inventory.sites[site] ?? site)
  return z ? `${siteName} / ${sanitizeLine(z.name)} (${sanitizeLine(z.kind)})` : siteName
}

function paint(c: ChalkInstance, s: Severity, text: string): string {
  const colors: Record<Severity, (t: string) => string> = {
    critical: (t) => c.bgRed.white.bold(t),
    high: (t) => c.red.bold(t),
    medium: (t) => c.yellow(t),
    low: (t) => c.blue(t),
    info: (t) => c.gray(t),
  }
  return colors[s](text)
}

function summaryLine(result: AuditResult, options: RenderOptions, c: ChalkInstance): string {
  const l = LABELS[options.lang]
  const counts = SEVERITIES.filter((s) => result.summary.by_severity[s] > 0)
    .map((s) => `${result.summary.by_severity[s]} ${s}`)
    .join(', ')
  const head = `${result.summary.total} ${l.total}${counts ? ` (${counts})` : ''}, ${result.summary.waived} ${l.waived}`
  const failing = `${result.summary.failing} ${l.failing} (--fail-on ${result.fail_on})`
  return `${head}; ${result.summary.failing > 0 ? c.red.bold(failing) : c.green(failing)}`
}
