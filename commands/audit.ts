import {Flags} from '@oclif/core'

import {type AuditResult, InputError, parseNow, runAudit, runLiveAudit} from '../src/index.js'
import {BaseCommand, fromConfig, ledgerFlags, sharedFlags} from './_lib/base.js'
import {EXIT_HELP, formatFlag, renderResult} from './_lib/report.js'
import {logFlags, logOptions} from './_lib/logs.js'
import {abortOnSigint, liveOptions, progressBar, selectionFlags, sshFlags} from './_lib/ssh.js'

export default class Audit extends BaseCommand {
  static override summary = 'Audit terminals: the declared inventory against collected facts, with every rule and waiver.'
  static override description = `Reads the inventory, the rule packs and one facts document per terminal (<terminal id>.json), and reports
every finding. A declared active terminal without valid, fresh facts is a finding (never a pass).

${EXIT_HELP}`

  static override examples = [
    '<%= config.bin %> audit --inventory inventories/tohoku-example --facts inventories/tohoku-example/facts --now 2026-11-27',
    '<%= config.bin %> audit -i inventory/ --facts facts/ --format sarif --output audit.sarif',
    '<%= config.bin %> audit -i inventory/ --live --site hachinohe --identity ~/.ssh/audit_ed25519',
    '<%= config.bin %> audit -i inventory/ --facts facts/ --logs logs/eigyo.yaml --from 2026-10-01 --to 2026-10-31 --db ledger.sqlite',
  ]

  static override flags = {
    ...sharedFlags,
    facts: Flags.string({summary: 'Folder of recorded facts, one <terminal id>.json per terminal.', env: 'FLEET_AUDIT_FACTS', noCacheDefault: true,
    default: fromConfig('facts', () => undefined)}),
    live: Flags.boolean({summary: 'Collect over SSH first, then audit the collected terminals (see `collect` for the SSH flags).'}),
    out: Flags.string({summary: 'With --live: also write the collected facts into this folder.'}),
    format: formatFlag,
    ...selectionFlags,
    ...sshFlags,
    ...ledgerFlags,
    ...logFlags,
  }

  async run(): Promise<AuditResult> {
    const {flags} = await this.parse(Audit)
    const now = parseNow(flags.now)
    const options = {
      inventory: flags.inventory,
      facts: flags.facts,
      rules: flags.rules,
      failOn: flags['fail-on'],
      maxFileSize: flags['max-file-size'],
      ledger: {db: flags.db, files: flags.ledger},
      // With --logs, the same run reviews the access logs of --from..--to: settings, placement, ledger and use.
      logs: flags.logs?.length ? logOptions(flags) : undefined,
    }
    let result: AuditResult
    if (flags.live && options.logs) throw new InputError([{code: 'E_FLAG', message: '--logs cannot be combined with --live: collect first, then audit --facts DIR --logs ...'}])
    if (flags.live) {
      const abort = abortOnSigint()
      try {
        const live = liveOptions(flags, flags.out)
        live.collect.signal = abort.signal
        result = (await runLiveAudit(options, live, {now: () => now, onProgress: progressBar(!this.jsonEnabled())})).result
      } finally {
        abort.dispose()
      }
    } else {
      if (!flags.facts) throw new InputError([{code: 'E_FLAG', message: 'audit needs --facts DIR (recorded facts) or --live (collect over SSH)'}])
      result = await runAudit(options, {now})
    }

    const {text, exitCode} = renderResult(result, flags)
    if (!this.jsonEnabled() || flags.output) await this.emit(text, flags.output)
    process.exitCode = exitCode
    return result
  }
}
