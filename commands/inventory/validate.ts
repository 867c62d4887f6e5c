import {type AuditResult, parseNow, runAudit, runAuditReport} from '../../src/index.js'
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
    const options = {
      inventory: this.inventoryPath(parsed),
      rules: flags.rules,
      failOn: flags['fail-on'],
      maxFileSize: flags['max-file-size'],
    }
    const deps = {now: parseNow(flags.now)}
    // Only the HTML page shows declared data and input hashes; the other formats skip reading them.
    const {result, details} =
      flags.format === 'html'
        ? await runAuditReport(options, deps)
        : {result: await runAudit(options, deps), details: undefined}
    const {text, exitCode, summary} = await renderResult(result, flags, details)
    if (!this.jsonEnabled() || flags.output) await this.emit(text, flags.output)
    // The report went to a file: the person at the terminal still sees the verdict.
    if (flags.output) this.logToStderr(summary)
    process.exitCode = exitCode
    return result
  }
}
