import {type AuditResult} from '../model/result.js'
import {type Lang, severityLabel} from '../model/i18n.js'
import {SEVERITIES} from '../model/types.js'

/** The verdict in one line: counts by severity, waived, failing and the threshold that decides the exit code. */
export function summaryLine(
  result: Pick<AuditResult, 'summary' | 'fail_on'>,
  lang: Lang,
): {head: string; failing: string} {
  const {summary} = result
  const present = SEVERITIES.filter((s) => summary.by_severity[s] > 0)
  if (lang === 'ja') {
    const counts = present.map((s) => `${severityLabel(s, 'ja')} ${summary.by_severity[s]}`).join('、')
    return {
      head: `指摘 ${summary.total} 件${counts ? `（${counts}）` : ''}、免除 ${summary.waived} 件`,
      failing: `不合格 ${summary.failing} 件（--fail-on ${result.fail_on}）`,
    }
  }

  const counts = present.map((s) => `${summary.by_severity[s]} ${s}`).join(', ')
  return {
    head: `${summary.total} findings${counts ? ` (${counts})` : ''}, ${summary.waived} waived`,
    failing: `${summary.failing} failing (--fail-on ${result.fail_on})`,
  }
}

/** The summary as plain text (stderr after `--output FILE`). */
export function summaryText(result: Pick<AuditResult, 'summary' | 'fail_on'>, lang: Lang): string {
  const {head, failing} = summaryLine(result, lang)
  return `${head}${lang === 'ja' ? '。' : '; '}${failing}`
}
