import {Flags} from '@oclif/core'

import {exitCodeOf, parseNow, recheckLedger, sanitizeLine} from '../../src/index.js'
import {BaseCommand, dbFlag, sharedFlags} from '../_lib/base.js'

export default class LedgerRecheck extends BaseCommand {
  static override summary =
    'Re-check every imported event not yet acknowledged, with facts you collected yourself, and acknowledge it.'
  static override description = `The receiving company (NW) audits each imported install, move, reconfigure or replace event's terminal with its own
facts (never the sender's), collected after the event, with the identity recorded in the event pinned (host key,
serial, MACs). Each becomes an acknowledgement: verified, or rejected with the findings as evidence. A terminal that
could not be reached (refused, timed out, authentication, unknown host key, unusable facts) proves nothing: its event
stays pending with the reason and the next recheck tries it again. --event ISSUER#SEQ re-checks one event even after
a verdict: the new acknowledgement supersedes the earlier one. Send them back with ledger export --acks.

EXIT CODES
  0  every re-checked event was verified
  1  an event was rejected, or is pending (no facts, facts older than the event, or the terminal not reached)
  2  unusable input`

  static override examples = [
    '<%= config.bin %> collect -i inventory/ --out nw-facts/ && <%= config.bin %> ledger recheck --as tohoku-nw --actor nw-sato --facts nw-facts/',
  ]
  static override flags = {
    inventory: sharedFlags.inventory,
    rules: sharedFlags.rules,
    db: dbFlag,
    as: Flags.string({required: true, summary: 'Your company (the re-checker).'}),
    actor: Flags.string({summary: 'Person running the re-check.'}),
    facts: Flags.string({required: true, summary: 'Facts your company collected (collect --out).'}),
    event: Flags.string({
      summary: 'Re-check only this event (ISSUER#SEQ), even if already acknowledged; the new ack supersedes the old.',
    }),
    'fail-on': sharedFlags['fail-on'],
    now: sharedFlags.now,
  }

  async run() {
    const {flags} = await this.parse(LedgerRecheck)
    const now = parseNow(flags.now)
    const outcomes = await recheckLedger(
      flags.db,
      {
        inventory: flags.inventory,
        rules: flags.rules,
        failOn: flags['fail-on'],
        as: flags.as,
        actor: flags.actor,
        facts: flags.facts,
        event: flags.event,
      },
      now,
    )
    this.log(`ledger ${flags.db}, facts ${flags.facts}`)
    for (const o of outcomes) {
      this.log(
        `${o.state.padEnd(8)} ${o.issuer}#${o.seq} ${o.kind} ${sanitizeLine(o.terminal)}${o.reason ? `: ${sanitizeLine(o.reason)}` : ''}${o.supersedes ? ` (supersedes your ack #${o.supersedes})` : ''}`,
      )
      for (const f of o.findings.filter((x) => !x.waiver))
        this.log(`         ${f.severity} ${f.rule}: ${sanitizeLine(f.message.en)}`)
    }

    if (outcomes.length === 0) this.log('nothing to re-check')
    process.exitCode = exitCodeOf({kind: 'recheck', states: outcomes.map((o) => o.state)})
    return outcomes
  }
}
