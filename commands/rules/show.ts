import {Args} from '@oclif/core'

import {InputError, loadRules, type Rule, sanitize} from '../../src/index.js'
import {BaseCommand, sharedFlags} from '../_lib/base.js'

export default class RulesShow extends BaseCommand {
  static override summary = 'Show one rule: severity, rationale, remediation and its CEL condition.'
  static override examples = ['<%= config.bin %> rules show placement/nw-terminal-in-shared-zone', '<%= config.bin %> rules show collect/unverified --lang ja']
  static override args = {id: Args.string({required: true, description: 'Rule id, e.g. placement/nw-terminal-in-shared-zone'})}
  static override flags = {rules: sharedFlags.rules, lang: sharedFlags.lang}

  async run(): Promise<Omit<Rule, 'compiled'>> {
    const {args, flags} = await this.parse(RulesShow)
    const rules = await loadRules(flags.rules ?? [])
    const rule = rules.find((r) => r.id === args.id)
    if (!rule) throw new InputError([{code: 'E_REF', message: `unknown rule "${args.id}"`, hint: 'see `fleet-audit rules list`'}])
    const {compiled: _compiled, ...shown} = rule
    const l = flags.lang
    const lines = [
      `${rule.id}  (${rule.severity}, needs ${rule.needs}${rule.barrier ? ', barrier rule: waivers need an NW-side approver' : ''})`,
      '',
      sanitize(rule.title[l]),
      '',
      `${l === 'ja' ? '根拠' : 'Rationale'}: ${sanitize(rule.rationale[l])}`,
      `${l === 'ja' ? '対処' : 'Remediation'}: ${sanitize(rule.remediation[l])}`,
      '',
      rule.when ? `when: ${sanitize(rule.when)}` : rule.sql ? `sql (DuckDB, over the log review's tables${rule.params ? `; params ${JSON.stringify(rule.params)}` : ''}):\n${sanitize(rule.sql.trimEnd())}` : `evaluator: ${rule.evaluator}`,
      `defined at ${sanitize(rule.source.file)}:${rule.source.line}:${rule.source.column}`,
    ]
    this.log(lines.join('\n'))
    return shown
  }
}
