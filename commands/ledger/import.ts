import {Args, Flags} from '@oclif/core'

import {importLedger, parseNow} from '../../src/index.js'
import {BaseCommand, dbFlag, sharedFlags} from '../_lib/base.js'

export default class LedgerImport extends BaseCommand {
  static override summary =
    'Import a signed hand-off list from the other company, checking its signature and continuity.'
  static override description = `The signature is checked against the sender's public_key in the inventory; a missing, repeated, altered or
reordered record is refused and named by its sequence number (exit 2). Importing the same list twice changes nothing.
Several files are imported all or nothing. Without --as, each list must be addressed to this database's owner (the
company recorded at its first use); --as on a new database records you as its owner.`

  static override examples = ['<%= config.bin %> ledger import handoff-2026-11-27.yaml --as tohoku-nw -i inventory/']
  static override strict = false
  static override args = {file: Args.string({required: true, ignoreStdin: true, description: 'Hand-off file(s).'})}
  static override flags = {
    inventory: sharedFlags.inventory,
    db: dbFlag,
    as: Flags.string({
      summary: "Your company: a list addressed to anyone else is refused (default: the database's owner).",
    }),
    now: sharedFlags.now,
  }

  async run() {
    const {argv, flags} = await this.parse(LedgerImport)
    const now = parseNow(flags.now)
    const results = await importLedger(flags.db, flags.inventory, argv as string[], {as: flags.as, now})
    this.log(`ledger ${flags.db}`)
    for (const r of results)
      this.log(`${r.status}: ${r.count} ${r.type} #${r.first_seq}–#${r.last_seq} from ${r.issuer} (${r.added} new)`)
    return results
  }
}
