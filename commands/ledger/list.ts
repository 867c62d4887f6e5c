import {Flags} from '@oclif/core'

import {EVENT_KINDS, type EventKind, type EventWithState, listEvents, withLedger} from '../../src/index.js'
import {BaseCommand, dbFlag} from '../_lib/base.js'

export default class LedgerList extends BaseCommand {
  static override summary = 'List ledger events with their hand-off and acknowledgement state.'
  static override examples = ['<%= config.bin %> ledger list --unacknowledged', '<%= config.bin %> ledger list --terminal IS-RT-104 --json']
  static override flags = {
    db: dbFlag,
    terminal: Flags.string({summary: 'Only this terminal.'}),
    site: Flags.string({summary: 'Only this site (a move matches both sites).'}),
    kind: Flags.option({options: [...EVENT_KINDS], summary: 'Only this kind.'})(),
    issuer: Flags.string({summary: 'Only events of this company.'}),
    since: Flags.string({summary: 'Only events at or after this time (ISO 8601).'}),
    unacknowledged: Flags.boolean({summary: 'Only events not acknowledged yet.'}),
  }

  async run(): Promise<EventWithState[]> {
    const {flags} = await this.parse(LedgerList)
    const events = await withLedger(flags.db, (db) =>
      listEvents(db, {terminal: flags.terminal, site: flags.site, kind: flags.kind as EventKind | undefined, issuer: flags.issuer, since: flags.since, unacknowledged: flags.unacknowledged}),
    )
    for (const e of events) {
      const state = e.ack ? `${e.ack.state} by ${e.ack.acker}` : e.imported_at ? 'imported, unacknowledged' : 'unacknowledged'
      this.log(`${`${e.issuer}#${e.seq}`.padEnd(18)} ${e.occurred_at}  ${e.kind.padEnd(11)} ${e.terminal.padEnd(14)} ${e.site}/${e.zone}  ${state}`)
    }

    if (events.length === 0) this.log('no events')
    return events
  }
}
