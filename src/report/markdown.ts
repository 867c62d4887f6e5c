import {isFailing} from '../model/result.js'
import {severityLabel} from '../model/i18n.js'
import {SEVERITIES} from '../model/types.js'
import {NOT_COLLECTED} from '../model/result.js'
import {daysBetween} from '../io/time.js'
import {sanitizeLine} from '../io/text.js'
import type {Reporter} from './types.js'

/** Waivers that end within this many days are listed so that someone renews or removes them in time. */
const EXPIRY_HORIZON_DAYS = 30
/** A job summary stays readable: at most this many not-checked terminals, then a count. */
const MAX_ROWS = 50

const L = {
  en: {
    title: {
      audit: 'fleet-audit: audit',
      validate: 'fleet-audit: inventory validation',
      logs: 'fleet-audit: access-log review',
    },
    pass: 'Passed',
    fail: 'Failed',
    severity: 'Severity',
    count: 'Findings',
    waived: 'waived',
    failing: 'Failing terminals',
    site: 'Site',
    zone: 'Zone',
    terminal: 'Terminal',
    rule: 'Rule',
    message: 'Message',
    expiring: `Waivers expiring within ${EXPIRY_HORIZON_DAYS} days`,
    waiver: 'Waiver',
    expires: 'Expires',
    approver: 'Approver',
    none: 'None.',
    terminals: 'terminals',
    failOn: 'fail-on',
    unchecked: 'Not checked',
    uncheckedTitle: 'No failing findings, but not everything was checked',
    reason: 'Why',
    rules: 'Rules not evaluated',
  },
  ja: {
    title: {
      audit: 'fleet-audit: 監査',
      validate: 'fleet-audit: インベントリ検証',
      logs: 'fleet-audit: アクセスログ分析',
    },
    pass: '合格',
    fail: '不合格',
    severity: '重大度',
    count: '指摘数',
    waived: '免除',
    failing: '不合格の端末',
    site: '拠点',
    zone: 'エリア',
    terminal: '端末',
    rule: 'ルール',
    message: '内容',
    expiring: `${EXPIRY_HORIZON_DAYS}日以内に期限が切れる免除`,
    waiver: '免除',
    expires: '期限',
    approver: '承認者',
    none: 'なし。',
    terminals: '台',
    failOn: 'fail-on',
    unchecked: '未確認',
    uncheckedTitle: '不合格の指摘はありませんが、確認できなかった項目があります',
    reason: '理由',
    rules: '評価できなかったルール',
  },
}

/** A summary fit for a CI job summary or a pull-request comment. */
export const markdown: Reporter = {
  name: 'markdown',
  render(result, options) {
    const l = L[options.lang]
    const failing = result.findings.filter((f) => isFailing(f, result.fail_on))
    // A rule that could not be evaluated is never a pass: its terminal is listed as not checked.
    const unchecked = result.not_evaluated
    const out: string[] = [
      `## ${l.title[result.kind]}: ${failing.length > 0 ? `❌ ${l.fail}` : unchecked.length > 0 ? `⚠️ ${l.uncheckedTitle}` : `✅ ${l.pass}`}`,
      '',
      `${result.inventory.terminals} ${l.terminals} · ${result.today} (${result.timezone}) · ${l.failOn} \`${result.fail_on}\``,
      '',
      `| ${l.severity} | ${l.count} |`,
      '| --- | ---: |',
      ...SEVERITIES.map((s) => `| ${severityLabel(s, options.lang)} | ${result.summary.by_severity[s]} |`),
      `| ${l.waived} | ${result.summary.waived} |`,
      '',
      `### ${l.failing}`,
      '',
    ]
    if (failing.length === 0) out.push(l.none)
    else {
      out.push(
        `| ${l.site} | ${l.zone} | ${l.terminal} | ${l.severity} | ${l.rule} | ${l.message} |`,
        '| --- | --- | --- | --- | --- | --- |',
      )
      const sorted = [...failing].sort((a, b) =>
        `${a.site}/${a.zone}/${a.terminal}`.localeCompare(`${b.site}/${b.zone}/${b.terminal}`),
      )
      for (const f of sorted) {
        const site = f.site ? (result.inventory.sites[f.site] ?? f.site) : '—'
        const zone = f.zone ? (result.inventory.zones[f.zone]?.name ?? f.zone) : '—'
        out.push(
          `| ${cell(site)} | ${cell(zone)} | \`${cell(f.terminal)}\` | ${severityLabel(f.severity, options.lang)} | \`${f.rule}\` | ${cell(f.message[options.lang])} |`,
        )
      }
    }

    if (unchecked.length > 0) {
      // Terminals a live run did not select are one row, not thousands.
      const listed = unchecked.filter((n) => n.reason !== NOT_COLLECTED)
      const unselected = unchecked.length - listed.length
      out.push('', `### ${l.unchecked}`, '', `| ${l.terminal} | ${l.reason} | ${l.rules} |`, '| --- | --- | --- |')
      for (const n of listed.slice(0, MAX_ROWS))
        out.push(`| \`${cell(n.terminal)}\` | ${cell(n.reason)} | ${n.rules.length} |`)
      if (listed.length > MAX_ROWS) out.push(`| … | ${listed.length - MAX_ROWS} more | |`)
      if (unselected > 0) out.push(`| ${unselected} ${l.terminals} | ${NOT_COLLECTED} | |`)
    }

    const soon = result.waivers
      .filter((w) => w.applies && daysBetween(result.today, w.expires) <= EXPIRY_HORIZON_DAYS)
      .sort((a, b) => a.expires.localeCompare(b.expires))
    out.push('', `### ${l.expiring}`, '')
    if (soon.length === 0) out.push(l.none)
    else {
      out.push(
        `| ${l.waiver} | ${l.rule} | ${l.terminal} | ${l.approver} | ${l.expires} |`,
        '| --- | --- | --- | --- | --- |',
      )
      for (const w of soon)
        out.push(
          `| ${cell(w.id)} | \`${w.rule}\` | ${cell(w.terminals.join(', '))} | ${cell(w.approver)} | ${w.expires} |`,
        )
    }

    return `${out.join('\n')}\n`
  },
}

/** Table cells: one line, pipes escaped, markup characters neutralised. */
function cell(s: string): string {
  return sanitizeLine(s).replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('`', 'ˋ')
}
