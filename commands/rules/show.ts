import {Args} from '@oclif/core'

import {InputError, loadRules, nearest, type Rule, sanitize} from '../../src/index.js'
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
    if (!rule) {
      // A slug without its pack (`role-mismatch`) or a typo: name the nearest ids.
      const ids = rules.map((r) => r.id)
      const slugs = args.id.includes('/') ? [] : nearest(args.id, ids.map((id) => id.slice(id.indexOf('/') + 1)))
      const bySlug = slugs.flatMap((slug) => ids.filter((id) => id.endsWith(`/${slug}`)))
      const near = [...new Set([...bySlug, ...nearest(args.id, ids)])].slice(0, 3)
      const hint = `${near.length > 0 ? `did you mean ${near.map((id) => `"${id}"`).join(' or ')}? ` : ''}see \`fleet-audit rules list\``
      throw new InputError([{code: 'E_REF', message: `unknown rule "${args.id}"`, hint}])
    }

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
      rule.when ? `when: ${sanitize(rule.when)}` : `evaluator: ${rule.evaluator}`,
      `defined at ${sanitize(rule.source.file)}:${rule.source.line}:${rule.source.column}`,
    ]
    this.log(lines.join('\n'))
    return shown
  }
}
