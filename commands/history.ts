import {Flags} from '@oclif/core'

import {diffRuns, InputError, listEvents, listRuns, parseNow, sanitizeLine, terminalAt, withLedger} from '../src/index.js'
import {BaseCommand, dbFlag} from './_lib/base.js'

export default class History extends BaseCommand {
  static override summary = 'Audit history: runs, what changed between two runs, or a terminal on a date.'
  static override examples = [
    '<%= config.bin %> history',
    '<%= config.bin %> history --diff 3 4',
    '<%= config.bin %> history --terminal CC-DR-310 --at 2026-10-01',
  ]

  static override flags = {
    db: dbFlag,
    diff: Flags.integer({multiple: true, summary: 'Two run ids: new and resolved findings between them.'}),
    terminal: Flags.string({summary: "A terminal's declared place, actual setting and ledger state..."}),
    at: Flags.string({summary: '...on this date (a day means its end, Japan time) or ISO 8601 time (default: now).'}),
    limit: Flags.integer({default: 20, summary: 'Runs to list.'}),
  }

  async run() {
    const {flags} = await this.parse(History)
    return withLedger(flags.db, (db) => {
      if (flags.diff) {
        if (flags.diff.length !== 2) throw new InputError([{code: 'E_FLAG', message: '--diff takes two run ids'}])
        const d = diffRuns(db, flags.diff[0], flags.diff[1])
        for (const f of d.new) this.log(`+ ${f.severity} ${sanitizeLine(f.terminal)} ${f.rule}: ${sanitizeLine(f.message.en)}`)
        for (const f of d.resolved) this.log(`- ${f.severity} ${sanitizeLine(f.terminal)} ${f.rule}: ${sanitizeLine(f.message.en)}`)
        this.log(`run ${d.from} → ${d.to}: ${d.new.length} new, ${d.resolved.length} resolved, ${d.unchanged} unchanged`)
        return d
      }

      if (flags.terminal) {
        // A bare day means the end of that day in Japan (the policy's default time zone).
        const at = flags.at && /^\d{4}-\d{2}-\d{2}$/.test(flags.at) ? new Date(`${parseNow(flags.at).toISOString().slice(0, 10)}T23:59:59+09:00`) : parseNow(flags.at)
        const state = terminalAt(db, flags.terminal, at)
        const events = listEvents(db, {terminal: flags.terminal, until: at})
        const facts = state.facts as {outcome?: string; client?: {role?: string; auth?: string}} | undefined
        this.log(`${sanitizeLine(flags.terminal)} as of ${at.toISOString()}`)
        this.log(`  declared: ${state.declared ? `${state.declared.site}/${state.declared.zone}, role ${state.declared.role}, ${state.declared.status}` : 'unknown (no audit run stored before then)'}`)
        this.log(`  actual:   ${facts ? `${facts.outcome}${facts.client ? `, role ${facts.client.role}, auth ${facts.client.auth}` : ''}` : 'no facts'}${state.run ? ` (run ${state.run.id}, ${state.run.started_at})` : ''}`)
        this.log(`  findings: ${state.findings.map((f) => f.rule).join(', ') || 'none'}`)
        this.log(`  ledger:   ${events.map((e) => `${e.kind} ${e.issuer}#${e.seq} ${e.occurred_at}${e.ack ? ` (${e.ack.state})` : ''}`).join('; ') || 'no events'}`)
        return {...state, events}
      }

      const runs = listRuns(db, {limit: flags.limit})
      for (const r of runs) this.log(`${String(r.id).padStart(5)}  ${r.started_at}  ${r.finding_count} findings  ${sanitizeLine(r.inventory_root)}`)
      if (runs.length === 0) this.log('no runs stored (audit --db stores them)')
      return runs
    })
  }
}
