import {Flags} from '@oclif/core'

import {
  EVENT_KINDS,
  type EventKind,
  type EventWithState,
  formatInZone,
  ledgerOwner,
  ledgerReadContext,
  listEvents,
  withLedger,
} from '../../src/index.js'
import {BaseCommand, dbFlag} from '../_lib/base.js'
import {inventoryIfAny, readInventoryFlag, row, widths} from '../_lib/ledger.js'

export default class LedgerList extends BaseCommand {
  static override summary = 'List ledger events with their hand-off and acknowledgement state.'
  static override description = `Opens the database read-only; it must exist. Times are shown in the policy's time zone, with its offset. With an
inventory, only an acknowledgement by a company on the other side of the barrier counts.`

  static override examples = [
    '<%= config.bin %> ledger list --unacknowledged',
    '<%= config.bin %> ledger list --terminal IS-RT-104 --json',
  ]
  static override flags = {
    db: dbFlag,
    inventory: readInventoryFlag,
    terminal: Flags.string({summary: 'Only this terminal.'}),
    site: Flags.string({summary: 'Only this site (a move matches both sites).'}),
    kind: Flags.option({options: [...EVENT_KINDS], summary: 'Only this kind.'})(),
    issuer: Flags.string({summary: 'Only events of this company.'}),
    since: Flags.string({summary: 'Only events at or after this time (ISO 8601).'}),
    unacknowledged: Flags.boolean({summary: 'Only events not acknowledged yet.'}),
  }

  async run(): Promise<EventWithState[]> {
    const {flags} = await this.parse(LedgerList)
    const {inventory, timezone} = await ledgerReadContext(inventoryIfAny(flags.inventory))
    const {events, owner} = await withLedger(
      flags.db,
      async (db) => ({
        owner: await ledgerOwner(db),
        events: await listEvents(db, {
          terminal: flags.terminal,
          site: flags.site,
          kind: flags.kind as EventKind | undefined,
          issuer: flags.issuer,
          since: flags.since,
          unacknowledged: flags.unacknowledged,
          companies: inventory?.companies,
        }),
      }),
      {readonly: true},
    )
    this.log(`ledger ${flags.db} (${owner ? `${owner.company}'s` : 'no owner recorded yet'}); times in ${timezone}`)
    const rows = events.map((e) => {
      const state = e.ack
        ? `${e.ack.state} by ${e.ack.acker} (ack #${e.ack.seq})`
        : e.imported_at
          ? 'imported, unacknowledged'
          : e.handed_off
            ? 'handed off, unacknowledged'
            : 'not handed off'
      return [
        `${e.issuer}#${e.seq}`,
        formatInZone(e.occurred_at, timezone),
        e.kind,
        e.terminal,
        `${e.site}/${e.zone}`,
        state,
      ]
    })
    const header = ['EVENT', 'OCCURRED', 'KIND', 'TERMINAL', 'SITE/ZONE', 'STATE']
    const w = widths([header, ...rows])
    if (rows.length > 0) for (const r of [header, ...rows]) this.log(row(r, w))
    if (events.length === 0) this.log('no events')
    return events
  }
}
