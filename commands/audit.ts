import {Flags} from '@oclif/core'

import {type AuditResult, parseNow, runAudit} from '../src/index.js'
import {BaseCommand, fromConfig, sharedFlags} from './_lib/base.js'
import {EXIT_HELP, formatFlag, renderResult} from './_lib/report.js'

export default class Audit extends BaseCommand {
  static override summary = 'Audit terminals: the declared inventory against collected facts, with every rule and waiver.'
  static override description = `Reads the inventory, the rule packs and one facts document per terminal (<terminal id>.json), and reports
every finding. A declared active terminal without valid, fresh facts is a finding (never a pass).

${EXIT_HELP}`

  static override examples = [
    '<%= config.bin %> audit --inventory inventories/tohoku-example --facts inventories/tohoku-example/facts --now 2026-11-27',
    '<%= config.bin %> audit -i inventory/ --facts facts/ --format sarif --output audit.sarif',
  ]

  static override flags = {
    ...sharedFlags,
    facts: Flags.string({summary: 'Folder of recorded facts, one <terminal id>.json per terminal.', env: 'FLEET_AUDIT_FACTS', noCacheDefault: true,
    default: fromConfig('facts', () => undefined), required: true}),
    format: formatFlag,
  }

  async run(): Promise<AuditResult> {
    const {flags} = await this.parse(Audit)
    const result = await runAudit(
      {inventory: flags.inventory, facts: flags.facts, rules: flags.rules, failOn: flags['fail-on'], maxFileSize: flags['max-file-size']},
      {now: parseNow(flags.now)},
    )
    const {text, exitCode} = renderResult(result, flags)
    if (!this.jsonEnabled()) await this.emit(text, flags.output)
    process.exitCode = exitCode
    return result
  }
}
