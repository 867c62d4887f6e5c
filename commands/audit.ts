import {Flags} from '@oclif/core'

import {
  type AuditResult,
  InputError,
  loadReportDetails,
  parseNow,
  type ReportDetails,
  runAudit,
  runAuditReport,
  runLiveAudit,
} from '../src/index.js'
import {BaseCommand, fromConfig, inventoryArg, ledgerFlags, sharedFlags} from './_lib/base.js'
import {EXIT_HELP, formatFlag, renderResult} from './_lib/report.js'
import {logFlags, logOptions} from './_lib/logs.js'
import {abortOnSigint, liveOptions, progressBar, selectionFlags, sshFlags} from './_lib/ssh.js'

export default class Audit extends BaseCommand {
  static override summary =
    'Audit terminals: the declared inventory against collected facts, with every rule and waiver.'
  static override description = `Reads the inventory, the rule packs and one facts document per terminal (<terminal id>.json), and reports
every finding. A declared active terminal without valid, fresh facts is a finding (never a pass).

${EXIT_HELP}`

  static override examples = [
    '<%= config.bin %> audit inventories/tohoku-example --facts inventories/tohoku-example/facts --now 2026-11-27',
    '<%= config.bin %> audit -i inventory/ --facts facts/ --format sarif --output audit.sarif',
    '<%= config.bin %> audit -i inventory/ --live --site hachinohe --identity ~/.ssh/audit_ed25519',
    '<%= config.bin %> audit -i inventory/ --facts facts/ --logs logs/eigyo.yaml --from 2026-10-01 --to 2026-10-31 --db ledger.sqlite',
  ]

  static override args = {inventory: inventoryArg}
  static override flags = {
    ...sharedFlags,
    facts: Flags.string({
      summary: 'Folder of recorded facts, one <terminal id>.json per terminal.',
      env: 'FLEET_AUDIT_FACTS',
      noCacheDefault: true,
      default: fromConfig('facts', () => undefined),
    }),
    live: Flags.boolean({
      summary: 'Collect over SSH first, then audit the collected terminals (see `collect` for the SSH flags).',
    }),
    out: Flags.string({summary: 'With --live: also write the collected facts into this folder.'}),
    format: formatFlag,
    ...selectionFlags,
    ...sshFlags,
    ...ledgerFlags,
    ...logFlags,
  }

  async run(): Promise<AuditResult> {
    const parsed = await this.parse(Audit)
    const {flags} = parsed
    const now = parseNow(flags.now)
    const options = {
      inventory: this.inventoryPath(parsed),
      facts: flags.facts,
      rules: flags.rules,
      failOn: flags['fail-on'],
      maxFileSize: flags['max-file-size'],
      ledger: {db: flags.db, files: flags.ledger},
      // With --logs, the same run reviews the access logs of --from..--to: settings, placement, ledger and use.
      logs: flags.logs?.length ? logOptions(flags) : undefined,
    }
    const html = flags.format === 'html'
    let result: AuditResult
    let details: ReportDetails | undefined
    if (flags.live && options.logs)
      throw new InputError([
        {
          code: 'E_FLAG',
          message: '--logs cannot be combined with --live: collect first, then audit --facts DIR --logs ...',
        },
      ])
    // A log review covers every terminal and source (coverage findings have no terminal): narrowing it would hide them.
    if (options.logs && (flags.only || flags.site || flags.zone)) {
      throw new InputError([
        {
          code: 'E_FLAG',
          message: '--logs reviews the whole fleet: it cannot be combined with --only, --site or --zone',
        },
      ])
    }
    if (flags.live) {
      // The page shows each terminal's collected facts: a live run must keep them (--out) for the page to read.
      if (html && !flags.out)
        throw new InputError([
          {
            code: 'E_FLAG',
            message: '--format html with --live needs --out DIR: the page shows the facts collected there',
          },
        ])
      const abort = abortOnSigint()
      try {
        const live = liveOptions(flags, flags.out)
        live.collect.signal = abort.signal
        result = (await runLiveAudit(options, live, {now: () => now, onProgress: progressBar(!this.jsonEnabled())}))
          .result
      } finally {
        abort.dispose()
      }

      if (html) details = await loadReportDetails({...options, facts: flags.out})
    } else {
      if (!flags.facts)
        throw new InputError([
          {code: 'E_FLAG', message: 'audit needs --facts DIR (recorded facts) or --live (collect over SSH)'},
        ])
      // Collection-only flags would be silently ignored on recorded facts: an auditor must not believe they applied.
      const liveOnly = (['shard', 'include-removed', 'out'] as const).filter((f) => flags[f])
      if (liveOnly.length > 0)
        throw new InputError(
          liveOnly.map((f) => ({
            code: 'E_FLAG',
            message: `--${f} applies to collection: use it with --live, not --facts`,
          })),
        )
      const list = (v?: string) =>
        v
          ?.split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      const selection = {only: list(flags.only), site: list(flags.site), zone: list(flags.zone)}
      const selected = {...options, selection: flags.only || flags.site || flags.zone ? selection : undefined}
      if (html) ({result, details} = await runAuditReport(selected, {now}))
      else result = await runAudit(selected, {now})
    }

    const {text, exitCode, summary} = await renderResult(result, flags, details)
    if (!this.jsonEnabled() || flags.output) await this.emit(text, flags.output)
    // The report went to a file: the person at the terminal still sees the verdict.
    if (flags.output) this.logToStderr(summary)
    process.exitCode = exitCode
    return result
  }
}
