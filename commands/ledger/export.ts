import {Flags} from '@oclif/core'

import {exportLedger, parseNow} from '../../src/index.js'
import {BaseCommand, dbFlag, sharedFlags} from '../_lib/base.js'

export default class LedgerExport extends BaseCommand {
  static override summary =
    'Write a signed hand-off list of the events (or, with --acks, acknowledgements) since the last export.'
  static override description = `The list is YAML that people can read: issuer, recipient, sequence range, previous and last hash, the records,
and an Ed25519 signature over the header and the SHA-256 of the canonical JSON of its content (format 3; so line
endings and re-indentation do not matter).
--since SEQ re-sends a range, so one lost file never leaves a permanent gap. The list is recorded as sent only once it
has been written; with nothing new since the last export nothing is written (exit 0, and the message says how to
re-send). Every list carries the signed heads of your chains, which the other company keeps as evidence.`

  static override examples = [
    '<%= config.bin %> ledger export --from tohoku-epco --to tohoku-nw --key keys/tohoku-epco.key -o handoff-2026-11-27.yaml',
    '<%= config.bin %> ledger export --acks --from tohoku-nw --to tohoku-epco --key keys/tohoku-nw.key -o acks.yaml',
  ]

  static override flags = {
    inventory: sharedFlags.inventory,
    db: dbFlag,
    from: Flags.string({
      required: true,
      summary: 'Your company (the issuer of the events, or the acknowledging company).',
    }),
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
    const deliver = async (bytes: Uint8Array): Promise<void> => {
      // With --json, stdout carries the JSON summary only; the list goes to --output.
      if (!this.jsonEnabled() || flags.output) await this.emit(bytes, flags.output)
    }
    const r = await exportLedger(flags.db, {
      inventory: flags.inventory,
      from: flags.from,
      to: flags.to,
      since: flags.since,
      keyFile: flags.key,
      acks: flags.acks,
      now,
      deliver,
    })
    const again = `ledger export${r.type === 'acks' ? ' --acks' : ''} --from ${r.issuer} --to ${r.recipient} --since`
    if (!r.written) {
      const since = r.previous ? ` since #${r.previous.last_seq} (sent ${r.previous.at})` : ''
      this.logToStderr(`nothing new to send to ${r.recipient}${since}: no list written (ledger ${flags.db})`)
      if (r.last_seq > 0)
        this.logToStderr(
          `to send again what ${r.recipient} may not have received: ${again} ${Math.min(r.confirmed + 1, r.last_seq)}`,
        )
      return r
    }
    this.logToStderr(
      `${r.count} ${r.type} #${r.first_seq}–#${r.last_seq} from ${r.issuer} to ${r.recipient} → ${flags.output ?? 'standard output'} (ledger ${flags.db})`,
    )
    if (r.confirmed < r.first_seq - 1)
      this.logToStderr(
        `${r.recipient} has confirmed receiving only up to #${r.confirmed}: if an earlier hand-off failed, re-send from there with ${again} ${r.confirmed + 1}`,
      )
    else this.logToStderr(`if this list does not reach ${r.recipient}, re-send it with ${again} ${r.first_seq}`)
    return r
  }
}
