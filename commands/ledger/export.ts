import {Flags} from '@oclif/core'

import {exportLedger, parseNow} from '../../src/index.js'
import {BaseCommand, dbFlag, sharedFlags} from '../_lib/base.js'

export default class LedgerExport extends BaseCommand {
  static override summary = 'Write a signed hand-off list of the events (or, with --acks, acknowledgements) since the last export.'
  static override description = `The list is YAML that people can read: issuer, recipient, sequence range, previous and last hash, the records,
and an Ed25519 signature over the canonical JSON of its content (so line endings and re-indentation do not matter).
--since SEQ re-sends a range, so one lost file never leaves a permanent gap.`

  static override examples = [
    '<%= config.bin %> ledger export --from tohoku-epco --to tohoku-nw --key keys/tohoku-epco.key -o handoff-2026-11-27.yaml',
    '<%= config.bin %> ledger export --acks --from tohoku-nw --to tohoku-epco --key keys/tohoku-nw.key -o acks.yaml',
  ]

  static override flags = {
    inventory: sharedFlags.inventory,
    db: dbFlag,
    from: Flags.string({required: true, summary: 'Your company (the issuer of the events, or the acknowledging company).'}),
    to: Flags.string({required: true, summary: 'The receiving company.'}),
    key: Flags.string({required: true, summary: "Your company's private key file (from ledger keygen)."}),
    since: Flags.integer({min: 1, summary: 'Re-send from this sequence number.'}),
    acks: Flags.boolean({summary: 'Export acknowledgements instead of events.'}),
    output: sharedFlags.output,
    now: sharedFlags.now,
  }

  async run() {
    const {flags} = await this.parse(LedgerExport)
    const now = parseNow(flags.now)
    const result = await exportLedger(flags.db, {inventory: flags.inventory, from: flags.from, to: flags.to, since: flags.since, keyFile: flags.key, acks: flags.acks, now})
    // With --json, stdout carries the JSON summary only; the list goes to --output.
    if (!this.jsonEnabled() || flags.output) await this.emit(result.text, flags.output)
    if (flags.output) this.logToStderr(`${result.count} ${result.type} #${result.first_seq}–#${result.last_seq} from ${result.issuer} to ${result.recipient} → ${flags.output}`)
    const {text: _text, ...summary} = result
    return summary
  }
}
