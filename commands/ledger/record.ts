import {Args, Flags} from '@oclif/core'

import {EVENT_KINDS, type EventKind, parseNow, recordLedgerEvent, sanitizeLine} from '../../src/index.js'
import {BaseCommand, dbFlag, sharedFlags} from '../_lib/base.js'

export default class LedgerRecord extends BaseCommand {
  static override summary = 'Record an install, removal, move, reconfiguration or replacement of a terminal.'
  static override description = `Checked against the inventory: an unknown terminal, site, zone, company or person is exit 2, and the approver may
not be the actor. Site, zone, role, owner and identity default to the terminal's declaration. The event joins the
issuing company's hash chain; it can never be edited or deleted, only followed by another event.`

  static override examples = [
    '<%= config.bin %> ledger record install --terminal IS-RT-104 --issuer tohoku-epco --actor ep-tanaka --approver ep-takahashi -i inventory/',
    '<%= config.bin %> ledger record move --terminal CC-NW-302 --zone cc-nw-office --issuer tohoku-nw --actor nw-sato --approver nw-suzuki --at 2026-11-20T10:00:00+09:00',
  ]

  static override args = {
    kind: Args.string({required: true, ignoreStdin: true, options: [...EVENT_KINDS], description: 'What happened.'}),
  }
  static override flags = {
    inventory: sharedFlags.inventory,
    db: dbFlag,
    terminal: Flags.string({required: true, summary: 'Terminal id.'}),
    issuer: Flags.string({required: true, summary: 'The company recording the event (its chain).'}),
    actor: Flags.string({required: true, summary: 'Person who did it.'}),
    approver: Flags.string({required: true, summary: 'Person who approved it (not the actor).'}),
    at: Flags.string({summary: 'When it happened, ISO 8601 with offset (default: now).'}),
    site: Flags.string({summary: 'Site (default: declared).'}),
    zone: Flags.string({summary: 'Zone (default: declared).'}),
    'from-site': Flags.string({summary: 'For a move: where from.'}),
    'from-zone': Flags.string({summary: 'For a move: where from.'}),
    role: Flags.option({options: ['nw', 'retail'] as const, summary: 'Role (default: declared).'})(),
    owner: Flags.string({summary: 'Owner (default: declared).'}),
    'host-key': Flags.string({summary: 'Host key as installed (SHA256:…; default: pinned).'}),
    serial: Flags.string({summary: 'Serial as installed (default: declared).'}),
    mac: Flags.string({multiple: true, summary: 'MAC as installed (default: declared); repeatable.'}),
    delegation: Flags.string({summary: 'Why an actor or approver of another company acts for the issuer.'}),
    note: Flags.string({summary: 'Free text.'}),
    now: sharedFlags.now,
  }

  async run() {
    const {args, flags} = await this.parse(LedgerRecord)
    const now = parseNow(flags.now)
    const event = await recordLedgerEvent(
      flags.db,
      flags.inventory,
      {
        kind: args.kind as EventKind,
        terminal: flags.terminal,
        issuer: flags.issuer,
        actor: flags.actor,
        approver: flags.approver,
        occurred_at: flags.at ?? now.toISOString(),
        site: flags.site,
        zone: flags.zone,
        from_site: flags['from-site'],
        from_zone: flags['from-zone'],
        role: flags.role,
        owner: flags.owner,
        host_key: flags['host-key'],
        serial: flags.serial,
        macs: flags.mac,
        delegation: flags.delegation,
        note: flags.note,
      },
      now,
    )
    this.log(
      `recorded ${event.issuer}#${event.seq} ${event.kind} ${sanitizeLine(event.terminal)} at ${event.site}/${event.zone} (${event.hash.slice(0, 16)}…) in ledger ${flags.db}`,
    )
    return event
  }
}
