import {Flags} from '@oclif/core'

import {
  type DiffResult,
  exitCodeFor,
  parseNow,
  renderPlan,
  renderPreexisting,
  runDiff,
  sanitize,
} from '../../src/index.js'
import {BaseCommand, inventoryArg, ledgerFlags, sharedFlags} from '../_lib/base.js'
import {EXIT_HELP, formatFlag, renderResult} from '../_lib/report.js'

export default class InventoryDiff extends BaseCommand {
  static override summary =
    'Show what a change to an inventory does: terminals added, removed, moved, re-roled, re-owned.'
  static override description = `Compares the inventory with a base version (a git ref such as origin/main, or a file or folder), prints the
change like a plan, then validates the new version with every rule that needs no facts, so a reviewer sees what
the change breaks. In a shallow CI checkout, fetch the base ref first (git fetch --depth=1 origin main).

${EXIT_HELP}`

  static override examples = [
    '<%= config.bin %> inventory diff inventories/tohoku-example --base origin/main',
    '<%= config.bin %> inventory diff --base old-inventory/ -i inventory/ --json',
    '<%= config.bin %> inventory diff inventory/ --base origin/main --new-only --format sarif -o diff.sarif',
  ]

  static override args = {inventory: inventoryArg}
  static override flags = {
    ...sharedFlags,
    base: Flags.string({summary: 'Base version: a git ref, or a file or folder.', required: true}),
    'new-only': Flags.boolean({
      summary:
        'Fail only on findings this change introduces; those the base already had are listed apart and not counted.',
    }),
    format: formatFlag,
    ledger: ledgerFlags.ledger,
  }

  async run(): Promise<DiffResult> {
    const parsed = await this.parse(InventoryDiff)
    const {flags} = parsed
    const result = await runDiff(
      {
        base: flags.base,
        inventory: this.inventoryPath(parsed),
        rules: flags.rules,
        failOn: flags['fail-on'],
        maxFileSize: flags['max-file-size'],
        ledger: {files: flags.ledger},
        newOnly: flags['new-only'],
      },
      {now: parseNow(flags.now)},
    )
    // Machine formats report the verdict; the table shows the plan, what the base already had, then what is new.
    const table = flags.format === 'table'
    const {text, summary} = await renderResult(
      table ? {...result.verdict, findings: result.introduced} : result.verdict,
      flags,
    )
    const exitCode = exitCodeFor(result.verdict, flags['fail-on'])
    const head = table
      ? sanitize(`${await renderPlan(result, flags.lang)}\n${await renderPreexisting(result, flags.lang)}`)
      : ''
    if (!this.jsonEnabled() || flags.output) await this.emit(`${head}${text}`, flags.output)
    if (flags.output) this.logToStderr(summary)
    process.exitCode = exitCode
    return result
  }
}
