import type {LedgerView} from '../../ledger/view.js'
import type {Inventory} from '../../model/types.js'
import type {PastReview} from '../../model/logs.js'
import {dayIn} from '../../io/time.js'
import type {LogEngine} from '../../facts/logs/engine.js'
import {FIRST_DAY, LAST_DAY} from '../../facts/logs/load.js'

/**
 * The declared side of the review, as tables the rules join with the usage facts (see the README for each column).
 * Dates become whole days in the policy's time zone; open ends become the first and last representable days.
 */
export async function createTables(
  engine: LogEngine,
  input: {inventory: Inventory; ledger?: LedgerView; from: string; to: string; sources: string[]; past: PastReview[]},
): Promise<void> {
  const {inventory: inv, ledger} = input
  const tz = inv.policy.timezone
  const side = new Map(inv.companies.map((c) => [c.id, c.side]))
  const zones = new Map(inv.zones.map((z) => [z.id, z]))
  const ledgerDay = (terminal: string, kind: 'install' | 'remove', pick: 'first' | 'last'): string | undefined => {
    const events = (ledger?.byTerminal[terminal] ?? []).filter((e) => e.kind === kind)
    const e = pick === 'first' ? events[0] : events.at(-1)
    return e && dayIn(new Date(e.occurred_at), tz)
  }

  await engine.table(
    'terminals',
    {
      id: 'VARCHAR',
      site: 'VARCHAR',
      zone: 'VARCHAR',
      zone_kind: 'VARCHAR',
      role: 'VARCHAR',
      status: 'VARCHAR',
      owner: 'VARCHAR',
      installed_day: 'DATE',
      removed_day: 'DATE',
      retail_reachable: 'BOOLEAN',
      disaster: 'BOOLEAN',
    },
    inv.terminals.map((t) => {
      const zone = zones.get(t.zone)
      return {
        id: t.id,
        site: t.site,
        zone: t.zone,
        zone_kind: zone?.kind ?? null,
        role: t.role,
        status: t.status,
        owner: t.owner,
        installed_day: t.installed ?? ledgerDay(t.id, 'install', 'first') ?? null,
        removed_day: t.removed ?? (t.status === 'removed' ? ledgerDay(t.id, 'remove', 'last') : undefined) ?? null,
        // Fail closed: a zone the model does not know counts as reachable by retail people.
        retail_reachable: !zone || !zone.access.every((c) => side.get(c) === 'nw'),
        disaster: t.tags.includes('disaster-reception') || zone?.kind === 'disaster-reception',
      }
    }),
  )
  await engine.table(
    'companies',
    {id: 'VARCHAR', side: 'VARCHAR'},
    inv.companies.map((c) => ({id: c.id, side: c.side})),
  )
  await engine.table(
    'people',
    {id: 'VARCHAR', company: 'VARCHAR'},
    inv.people.map((p) => ({id: p.id, company: p.company})),
  )
  await engine.table(
    'log_ids',
    {log_id: 'VARCHAR', person: 'VARCHAR'},
    inv.people.flatMap((p) => p.log_ids.map((id) => ({log_id: id, person: p.id}))),
  )
  await engine.table(
    'periods',
    {person: 'VARCHAR', company: 'VARCHAR', side: 'VARCHAR', from_day: 'DATE', to_day: 'DATE', end_reason: 'VARCHAR'},
    inv.people.flatMap((p) =>
      (p.periods.length > 0 ? p.periods : [{company: p.company}]).map((x) => ({
        person: p.id,
        company: x.company,
        side: side.get(x.company) ?? null,
        from_day: x.from ?? FIRST_DAY,
        to_day: x.to ?? LAST_DAY,
        end_reason: 'end' in x ? (x.end ?? null) : null,
      })),
    ),
  )
  await engine.table(
    'windows',
    {id: 'VARCHAR', site: 'VARCHAR', terminal: 'VARCHAR', from_day: 'DATE', to_day: 'DATE', approver: 'VARCHAR'},
    inv.emergency_windows.flatMap((w) =>
      w.sites.flatMap((site) =>
        (w.terminals.length > 0 ? w.terminals : [null]).map((terminal) => ({
          id: w.id,
          site,
          terminal,
          from_day: w.from,
          to_day: w.to,
          approver: w.approver,
        })),
      ),
    ),
  )
  await engine.table(
    'retailers',
    {id: 'VARCHAR', own: 'BOOLEAN'},
    inv.retailers.map((r) => ({id: r.id, own: r.company !== undefined})),
  )
  await engine.table(
    'supply_points',
    {id: 'VARCHAR', retailer: 'VARCHAR', from_day: 'DATE', to_day: 'DATE'},
    inv.supply_points.map((s) => ({
      id: s.id,
      retailer: s.retailer,
      from_day: s.from ?? FIRST_DAY,
      to_day: s.to ?? LAST_DAY,
    })),
  )
  await engine.table('review', {from_day: 'DATE', to_day: 'DATE', timezone: 'VARCHAR'}, [
    {from_day: input.from, to_day: input.to, timezone: tz},
  ])
  await engine.table(
    'sources',
    {source: 'VARCHAR'},
    input.sources.map((source) => ({source})),
  )
  await engine.table(
    'past_reviews',
    {source: 'VARCHAR', from_day: 'DATE', to_day: 'DATE'},
    input.past.map((r) => ({source: r.source, from_day: r.from, to_day: r.to})),
  )
  await engine.run(
    `CREATE TABLE days AS SELECT CAST(unnest(generate_series(CAST(from_day AS TIMESTAMP), CAST(to_day AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS day FROM review`,
  )
}

/** After the files are loaded: the usage of the period that parsed, which is what the rules read. */
export async function createUsageView(engine: LogEngine): Promise<void> {
  await engine.run(
    `CREATE VIEW usage AS SELECT u.* FROM usage_all u, review r WHERE u.bad IS NULL AND u.day BETWEEN r.from_day AND r.to_day`,
  )
}
