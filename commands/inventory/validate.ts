import {type AuditResult, parseNow, runAudit} from '../../src/index.js'
import {BaseCommand, inventoryArg, sharedFlags} from '../_lib/base.js'
import {EXIT_HELP, formatFlag, renderResult} from '../_lib/report.js'

export default class InventoryValidate extends BaseCommand {
  static override summary = 'Validate an inventory: schema, references, and every rule that needs no collected facts.'
  static override description = `What CI runs on every change to an inventory. Checks the files against the JSON Schema, resolves every
reference (sites, zones, companies, people, rules of waivers), then runs the placement, declaration, policy and
waiver rules. Touches no terminal.

${EXIT_HELP}`

  static override examples = [
    '<%= config.bin %> inventory validate inventories/tohoku-example --now 2026-11-27',
    '<%= config.bin %> inventory validate -i inventory/ --format sarif -o inventory.sarif',
  ]

  static override args = {inventory: inventoryArg}
  static override flags = {...sharedFlags, format: formatFlag}

  async run(): Promise<AuditResult> {
    const parsed = await this.parse(InventoryValidate)
    const {flags} = parsed
    const result = await runAudit(
      {inventory: this.inventoryPath(parsed), rules: flags.rules, failOn: flags['fail-on'], maxFileSize: flags['max-file-size']},
      {now: parseNow(flags.now)},
    )
    const {text, exitCode, summary} = renderResult(result, flags)
    if (!this.jsonEnabled() || flags.output) await this.emit(text, flags.output)
    // The report went to a file: the person at the terminal still sees the verdict.
    if (flags.output) this.logToStderr(summary)
    process.exitCode = exitCode
    return result
  }
}
