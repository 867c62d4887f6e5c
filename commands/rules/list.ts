import {Flags} from '@oclif/core'

import {loadRules, type RuleSummary, sanitizeLine} from '../../src/index.js'
import {BaseCommand, sharedFlags} from '../_lib/base.js'

export default class RulesList extends BaseCommand {
  static override summary = 'List the rules: built-in packs plus any --rules folders.'
  static override examples = ['<%= config.bin %> rules list', '<%= config.bin %> rules list --rules my-rules/ --json']
  static override flags = {
    rules: sharedFlags.rules,
    lang: sharedFlags.lang,
    needs: Flags.option({summary: 'Only rules that need this.', options: ['inventory', 'facts', 'ledger', 'logs'] as const})(),
  }

  async run(): Promise<RuleSummary[]> {
    const {flags} = await this.parse(RulesList)
    const rules = (await loadRules(flags.rules ?? [])).filter((r) => !flags.needs || r.needs === flags.needs)
    const summaries = rules.map(({id, severity, needs, barrier, title, rationale, remediation}) => ({id, severity, needs, barrier, title, rationale, remediation}))
    const width = Math.max(...rules.map((r) => r.id.length))
    for (const r of rules) this.log(`${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${r.needs.padEnd(9)}  ${sanitizeLine(r.title[flags.lang])}`)
    return summaries
  }
}
