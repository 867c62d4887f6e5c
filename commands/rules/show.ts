import {Args} from '@oclif/core'

import {InputError, loadRules, nearest, type Rule, sanitize, severityLabel} from '../../src/index.js'
import {BaseCommand, sharedFlags} from '../_lib/base.js'

const LABELS = {
  en: {
    open: '(',
    close: ')',
    sep: ', ',
    needs: 'needs',
    barrier: 'barrier rule: waivers need an NW-side approver',
    rationale: 'Rationale',
    remediation: 'Remediation',
    when: 'when',
    evaluator: 'evaluator',
    defined: 'defined at',
  },
  ja: {
    open: '（',
    close: '）',
    sep: '、',
    needs: '必要なもの:',
    barrier: 'バリアルール: 免除にはNW側の承認者が必要',
    rationale: '根拠',
    remediation: '対処',
    when: '条件 (CEL)',
    evaluator: '評価関数',
    defined: '定義:',
  },
}

export default class RulesShow extends BaseCommand {
  static override summary = 'Show one rule: severity, rationale, remediation and its CEL condition.'
  static override examples = [
    '<%= config.bin %> rules show placement/nw-terminal-in-shared-zone',
    '<%= config.bin %> rules show collect/unverified --lang ja',
  ]
  static override args = {
    id: Args.string({
      required: true,
      ignoreStdin: true,
      description: 'Rule id, e.g. placement/nw-terminal-in-shared-zone',
    }),
  }
  static override flags = {rules: sharedFlags.rules, lang: sharedFlags.lang}

  async run(): Promise<Omit<Rule, 'compiled'>> {
    const {args, flags} = await this.parse(RulesShow)
    const rules = await loadRules(flags.rules ?? [])
    const rule = rules.find((r) => r.id === args.id)
    if (!rule) {
      // A slug without its pack (`role-mismatch`) or a typo: name the nearest ids.
      const ids = rules.map((r) => r.id)
      const slugs = args.id.includes('/')
        ? []
        : nearest(
            args.id,
            ids.map((id) => id.slice(id.indexOf('/') + 1)),
          )
      const bySlug = slugs.flatMap((slug) => ids.filter((id) => id.endsWith(`/${slug}`)))
      const near = [...new Set([...bySlug, ...nearest(args.id, ids)])].slice(0, 3)
      const hint = `${near.length > 0 ? `did you mean ${near.map((id) => `"${id}"`).join(' or ')}? ` : ''}see \`fleet-audit rules list\``
      throw new InputError([{code: 'E_REF', message: `unknown rule "${args.id}"`, hint}])
    }

    const {compiled: _compiled, ...shown} = rule
    const l = flags.lang
    const t = LABELS[l]
    const lines = [
      `${rule.id}  ${t.open}${severityLabel(rule.severity, l)}${t.sep}${t.needs} ${rule.needs}${rule.barrier ? `${t.sep}${t.barrier}` : ''}${t.close}`,
      '',
      sanitize(rule.title[l]),
      '',
      `${t.rationale}: ${sanitize(rule.rationale[l])}`,
      `${t.remediation}: ${sanitize(rule.remediation[l])}`,
      '',
      rule.when
        ? `${t.when}: ${sanitize(rule.when)}`
        : rule.sql
          ? `sql (DuckDB, over the log review's tables${rule.params ? `; params ${JSON.stringify(rule.params)}` : ''}):\n${sanitize(rule.sql.trimEnd())}`
          : `${t.evaluator}: ${rule.evaluator}`,
      `${t.defined} ${sanitize(rule.source.file)}:${rule.source.line}:${rule.source.column}`,
    ]
    this.log(lines.join('\n'))
    return shown
  }
}
