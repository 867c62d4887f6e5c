import {type AuditResult, InputError, loadReportDetails, parseNow, runLogReview} from '../../src/index.js'
import {BaseCommand, inventoryArg, ledgerFlags, sharedFlags} from '../_lib/base.js'
import {logFlags, logOptions, logProgressBar} from '../_lib/logs.js'
import {EXIT_HELP, formatFlag, renderResult} from '../_lib/report.js'

export default class LogsAnalyze extends BaseCommand {
  static override summary =
    'Review the access logs of the customer system for a period: who used which terminal, and how.'
  static override description = `Reads the log exports named by each mapping (CSV, TSV, JSON Lines or Parquet; UTF-8 or Shift_JIS; gzip or
plain), joins them with the inventory (and the ledger with --db or --ledger), runs the log rules (rules list
--needs logs) over the whole days --from..--to in the policy's time zone, and reports findings. Supply point ids are
masked; names and phone numbers are never read. With --db the review is recorded, so a skipped period is a finding.

${EXIT_HELP}`

  static override examples = [
    '<%= config.bin %> logs analyze -i inventories/tohoku-example --logs inventories/tohoku-example/logs/customer-system.yaml --from 2026-10-01 --to 2026-10-31',
    '<%= config.bin %> logs analyze -i inventory/ --logs logs/eigyo.yaml --from 2026-10-01 --to 2026-10-31 --db ledger.sqlite --format sarif -o logs.sarif',
  ]

  static override args = {inventory: inventoryArg}
  static override flags = {...sharedFlags, format: formatFlag, ...logFlags, ...ledgerFlags}

  async run(): Promise<AuditResult> {
    const parsed = await this.parse(LogsAnalyze)
    const {flags} = parsed
    const now = parseNow(flags.now)
    if (!flags.logs?.length)
      throw new InputError([
        {code: 'E_FLAG', message: 'logs analyze needs --logs MAPPING (a log mapping file; see the README)'},
      ])
    const options = {
      inventory: this.inventoryPath(parsed),
      rules: flags.rules,
      failOn: flags['fail-on'],
      maxFileSize: flags['max-file-size'],
      ledger: {db: flags.db, files: flags.ledger},
      logs: logOptions(flags),
    }
    const result = await runLogReview(options, {now, onProgress: logProgressBar(!this.jsonEnabled())})
    // The HTML page draws the site map from the declared inventory (and the ledger's events, when given).
    const details = flags.format === 'html' ? await loadReportDetails({...options, logs: undefined}) : undefined
    const {text, exitCode, summary} = await renderResult(result, flags, details)
    if (!this.jsonEnabled() || flags.output) await this.emit(text, flags.output)
    // The report went to a file: the person at the terminal still sees the verdict.
    if (flags.output) this.logToStderr(summary)
    process.exitCode = exitCode
    return result
  }
}
