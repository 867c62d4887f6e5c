import {exitCodeOf, verifyLedgerFile} from '../../src/index.js'
import {BaseCommand, dbFlag} from '../_lib/base.js'
import {inventoryIfAny, readInventoryFlag} from '../_lib/ledger.js'

export default class LedgerVerify extends BaseCommand {
  static override summary =
    'Check every chain (events, acks, hand-off records), the signed chain heads kept, and the guards.'
  static override description = `Opens the database read-only; it must exist. Re-derives every hash of every chain, checks each hand-off record,
checks every chain head the other company signed against this database (nothing at or before a head it has seen
may have changed), and tests the append-only guards by what they do.

EXIT CODES
  0  every chain is intact
  1  tampering or damage found (each problem names the chain and the record's sequence number)
  2  the database is missing, empty, not a ledger or damaged, or the inventory is needed and missing`

  static override examples = ['<%= config.bin %> ledger verify --db nw.sqlite -i inventory/']
  static override flags = {db: dbFlag, inventory: readInventoryFlag}

  async run() {
    const {flags} = await this.parse(LedgerVerify)
    const result = await verifyLedgerFile(flags.db, inventoryIfAny(flags.inventory))
    this.log(
      `ledger ${result.db} (${result.owner ? `${result.owner.company}'s, since ${result.owner.since}` : 'no owner recorded yet'})`,
    )
    for (const c of result.chains)
      this.log(
        `${c.chain} ${c.company}${c.about ? ` → ${c.about}` : ''}: ${c.count} records, last #${c.last_seq}${c.imported ? ' (imported)' : ''}`,
      )
    this.log(`hand-off records: ${result.handoffs}; signed chain heads from the other company: ${result.heads}`)
    for (const p of result.problems)
      this.logToStderr(
        `${p.chain} ${p.company}${p.about ? ` → ${p.about}` : ''}${p.seq === undefined ? '' : `#${p.seq}`}: ${p.kind}: ${p.message}`,
      )
    this.log(result.ok ? 'ledger intact' : `${result.problems.length} problem(s) found`)
    process.exitCode = exitCodeOf({kind: 'verified', ok: result.ok})
    return result
  }
}
