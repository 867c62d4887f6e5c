import {Flags} from '@oclif/core'

import {
  displayWidth,
  InputError,
  loadRules,
  nearest,
  padDisplay,
  type RuleSummary,
  sanitizeLine,
  SEVERITIES,
  severityLabel,
} from '../../src/index.js'
import {BaseCommand, sharedFlags} from '../_lib/base.js'

const HEAD = {en: ['ID', 'SEVERITY', 'NEEDS', 'TITLE'], ja: ['ID', '重大度', '必要なもの', '題名']}

export default class RulesList extends BaseCommand {
  static override summary = 'List the rules: built-in packs plus any --rules folders.'
  static override examples = [
    '<%= config.bin %> rules list',
    '<%= config.bin %> rules list --pack placement,reconcile --severity critical',
    '<%= config.bin %> rules list --rules my-rules/ --json',
  ]

  static override flags = {
    rules: sharedFlags.rules,
    lang: sharedFlags.lang,
    needs: Flags.option({
      summary: 'Only rules that need this.',
      options: ['inventory', 'facts', 'ledger', 'logs'] as const,
    })(),
    pack: Flags.string({
      summary: 'Only rules of these packs (the part of the id before "/"; comma-separated or repeated).',
      multiple: true,
      delimiter: ',',
    }),
    severity: Flags.option({
      summary: 'Only rules of these severities (comma-separated or repeated).',
      options: SEVERITIES,
      multiple: true,
      delimiter: ',',
    })(),
  }

  async run(): Promise<RuleSummary[]> {
    const {flags} = await this.parse(RulesList)
    const all = await loadRules(flags.rules ?? [])
    const packs = [...new Set(all.map((r) => r.pack))]
    const unknown = (flags.pack ?? []).filter((p) => !packs.includes(p))
    if (unknown.length > 0) {
      throw new InputError(
        unknown.map((p) => {
          const near = nearest(p, packs)
          return {
            code: 'E_REF',
            message: `--pack: unknown rule pack "${p}"`,
            hint: `${near.length > 0 ? `did you mean "${near[0]}"? ` : ''}packs: ${packs.join(', ')}`,
          }
        }),
      )
    }

    const rules = all.filter(
      (r) =>
        (!flags.needs || r.needs === flags.needs) &&
        (!flags.pack || flags.pack.includes(r.pack)) &&
        (!flags.severity || flags.severity.includes(r.severity)),
    )
    const summaries = rules.map(({id, severity, needs, barrier, title, rationale, remediation}) => ({
      id,
      severity,
      needs,
      barrier,
      title,
      rationale,
      remediation,
    }))
    if (this.jsonEnabled()) return summaries
    const l = flags.lang
    const head = HEAD[l]
    const rows = rules.map((r) => [r.id, severityLabel(r.severity, l), r.needs, sanitizeLine(r.title[l])])
    const widths = [0, 1, 2].map((i) => Math.max(...[head, ...rows].map((row) => displayWidth(row[i]))))
    for (const row of [head, ...rows])
      this.log(
        `${padDisplay(row[0], widths[0])}  ${padDisplay(row[1], widths[1])}  ${padDisplay(row[2], widths[2])}  ${row[3]}`,
      )
    return summaries
  }
}
