import {Flags} from '@oclif/core'

import {collectClosingLine, type CollectSummary, exitCodeOf, runCollect, sanitizeLine} from '../src/index.js'
import {BaseCommand, fromConfig, inventoryArg, sharedFlags} from './_lib/base.js'
import {abortOnSigint, liveOptions, progressBar, selectionFlags, sshFlags} from './_lib/ssh.js'

export default class Collect extends BaseCommand {
  static override summary = 'Collect the actual configuration of terminals over SSH into facts files.'
  static override description = `Connects to every declared active terminal (or --only / --site / --zone / --shard), verifies its host key
against the pinned fingerprint or known_hosts before sending anything, runs the probe profile's one command and
writes <terminal id>.json per terminal into --out. A terminal that cannot be verified gets a facts file saying why
(unresolved, refused, timeout, auth, hostkey-unknown, hostkey-changed, probe-failed, output-invalid).

EXIT CODES
  0  every selected terminal was collected (outcome ok)
  1  at least one terminal could not be verified (its facts file says why)
  2  unusable input: inventory, flags, key file, known_hosts`

  static override examples = [
    '<%= config.bin %> collect inventory/ --identity ~/.ssh/audit_ed25519 --out facts/',
    '<%= config.bin %> collect -i inventory/ --only IS-RT-104 --accept-new --out facts/',
    '<%= config.bin %> collect -i inventory/ --shard 2/4 --out facts-2/',
  ]

  static override args = {inventory: inventoryArg}
  static override flags = {
    inventory: sharedFlags.inventory,
    'max-file-size': sharedFlags['max-file-size'],
    out: Flags.string({
      summary: 'Folder for the facts files.',
      env: 'FLEET_AUDIT_OUT',
      noCacheDefault: true,
      default: fromConfig('out', () => 'facts'),
    }),
    ...selectionFlags,
    ...sshFlags,
  }

  async run(): Promise<CollectSummary> {
    const parsed = await this.parse(Collect)
    const {flags} = parsed
    const abort = abortOnSigint()
    try {
      const live = liveOptions(flags, flags.out)
      live.collect.signal = abort.signal
      const {facts, summary} = await runCollect(
        {inventory: this.inventoryPath(parsed), failOn: 'high', maxFileSize: flags['max-file-size']},
        live,
        {now: () => new Date(), onProgress: progressBar(!this.jsonEnabled())},
      )
      if (!this.jsonEnabled()) {
        for (const w of summary.warnings) this.logToStderr(`warning: ${sanitizeLine(w)}`)
        for (const f of facts) {
          if (f.outcome !== 'ok')
            this.logToStderr(`${sanitizeLine(f.terminal)}: ${f.outcome}: ${sanitizeLine(f.error?.reason ?? '')}`)
        }

        for (const k of summary.accepted_host_keys)
          this.logToStderr(
            `${sanitizeLine(k.terminal)}: host key ${k.host_key} accepted on first use; compare it with the machine's own, then pin it as ssh.host_key`,
          )
        for (const line of collectClosingLine(summary, flags.out).split('\n')) this.log(sanitizeLine(line))
      }

      process.exitCode = exitCodeOf({kind: 'collect', total: summary.total, ok: summary.by_outcome.ok})
      return summary
    } finally {
      abort.dispose()
    }
  }
}
