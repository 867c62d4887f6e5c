import {Flags} from '@oclif/core'

import {
  diffRuns,
  endOfDayIn,
  formatInZone,
  InputError,
  ledgerReadContext,
  listEvents,
  listRuns,
  parseNow,
  sanitizeLine,
  terminalAt,
  withLedger,
} from '../src/index.js'
import {BaseCommand, dbFlag} from './_lib/base.js'
import {inventoryIfAny, readInventoryFlag, row, widths} from './_lib/ledger.js'

export default class History extends BaseCommand {
  static override summary = 'Audit history: runs, what changed between two runs, or a terminal on a date.'
  static override description = `Opens the database read-only; it must exist. Times are shown in the policy's time zone, with its offset.
--diff takes two run ids, as --diff 3 4 or --diff 3,4; a run that does not exist is exit 2.`

  static override examples = [
    '<%= config.bin %> history',
    '<%= config.bin %> history --diff 3 4',
    '<%= config.bin %> history --terminal CC-DR-310 --at 2026-10-01',
  ]

  static override flags = {
    db: dbFlag,
    inventory: readInventoryFlag,
    diff: Flags.string({
      multiple: true,
      delimiter: ',',
      summary: 'Two run ids (--diff A B or --diff A,B): new and resolved findings between them.',
    }),
    terminal: Flags.string({summary: "A terminal's declared place, actual setting and ledger state..."}),
    at: Flags.string({
      summary: "...on this date (a day means its end in the policy's time zone) or ISO 8601 time (default: now).",
    }),
    limit: Flags.integer({default: 20, summary: 'Runs to list.'}),
  }

  async run() {
    const {flags} = await this.parse(History)
    const diff = flags.diff?.map((v) => v.trim()).filter(Boolean)
    if (diff && (diff.length !== 2 || !diff.every((v) => /^[1-9]\d{0,9}$/.test(v))))
      throw new InputError([
        {
          code: 'E_FLAG',
          message: `--diff takes two run ids, as --diff A B or --diff A,B (got ${diff.join(' ') || 'nothing'})`,
        },
      ])
    const {timezone} = await ledgerReadContext(inventoryIfAny(flags.inventory))
    const at =
      flags.at && /^\d{4}-\d{2}-\d{2}$/.test(flags.at)
        ? endOfDayIn(parseNow(flags.at).toISOString().slice(0, 10), timezone)
        : parseNow(flags.at)
    const time = (t: string | Date): string => formatInZone(t, timezone)
    return withLedger(
      flags.db,
      async (db) => {
        if (diff) {
          const d = await diffRuns(db, Number(diff[0]), Number(diff[1]))
          for (const f of d.new)
            this.log(`+ ${f.severity} ${sanitizeLine(f.terminal)} ${f.rule}: ${sanitizeLine(f.message.en)}`)
          for (const f of d.resolved)
            this.log(`- ${f.severity} ${sanitizeLine(f.terminal)} ${f.rule}: ${sanitizeLine(f.message.en)}`)
          this.log(
            `run ${d.from} → ${d.to}: ${d.new.length} new, ${d.resolved.length} resolved, ${d.unchanged} unchanged`,
          )
          return d
        }

        if (flags.terminal) {
          const state = await terminalAt(db, flags.terminal, at)
          const events = await listEvents(db, {terminal: flags.terminal, until: at})
          const facts = state.facts as {outcome?: string; client?: {role?: string; auth?: string}} | undefined
          this.log(`${sanitizeLine(flags.terminal)} as of ${time(at)}`)
          this.log(
            `  declared: ${state.declared ? `${state.declared.site}/${state.declared.zone}, role ${state.declared.role}, ${state.declared.status}` : 'unknown (no audit run stored before then)'}`,
          )
          this.log(
            `  actual:   ${facts ? `${facts.outcome}${facts.client ? `, role ${facts.client.role}, auth ${facts.client.auth}` : ''}` : 'no facts'}${state.run ? ` (run ${state.run.id}, ${time(state.run.started_at)})` : ''}`,
          )
          this.log(`  findings: ${state.findings.map((f) => f.rule).join(', ') || 'none'}`)
          this.log(
            `  ledger:   ${events.map((e) => `${e.kind} ${e.issuer}#${e.seq} ${time(e.occurred_at)}${e.ack ? ` (${e.ack.state})` : ''}`).join('; ') || 'no events'}`,
          )
          return {...state, events}
        }

        const runs = await listRuns(db, {limit: flags.limit})
        const header = ['RUN', 'STARTED', 'FINDINGS', 'INVENTORY']
        const rows = runs.map((r) => [
          String(r.id),
          time(r.started_at),
          String(r.finding_count),
          sanitizeLine(r.inventory_root),
        ])
        const w = widths([header, ...rows])
        if (runs.length > 0) for (const r of [header, ...rows]) this.log(row(r, w))
        if (runs.length === 0) this.log('no runs stored (audit --db stores them)')
        return runs
      },
      {readonly: true},
    )
  }
}
