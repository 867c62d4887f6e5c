import {verifyLedger, type VerifyResult, withLedger} from '../../src/index.js'
import {BaseCommand, dbFlag} from '../_lib/base.js'

export default class LedgerVerify extends BaseCommand {
  static override summary = 'Walk every hash chain and report any edited, deleted, inserted or reordered record.'
  static override description = `EXIT CODES
  0  every chain is intact
  1  tampering or damage found (each problem names the chain and the record's sequence number)
  2  the database cannot be opened`

  static override examples = ['<%= config.bin %> ledger verify --db ledger.db']
  static override flags = {db: dbFlag}

  async run(): Promise<VerifyResult> {
    const {flags} = await this.parse(LedgerVerify)
    const result = await withLedger(flags.db, (db) => verifyLedger(db))
    for (const c of result.chains) this.log(`${c.chain} ${c.company}${c.about ? ` → ${c.about}` : ''}: ${c.count} records, last #${c.last_seq}`)
    for (const p of result.problems) this.logToStderr(`${p.chain} ${p.company}${p.seq === undefined ? '' : `#${p.seq}`}: ${p.kind}: ${p.message}`)
    this.log(result.ok ? 'ledger intact' : `${result.problems.length} problem(s) found`)
    process.exitCode = result.ok ? 0 : 1
    return result
  }
}
