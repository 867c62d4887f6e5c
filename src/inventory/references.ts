import {formatPosition, type ProblemList} from '../model/errors.js'
import type {Company, Inventory, Person, ProbeCatalog, SourcePosition, SupplyPoint} from '../model/types.js'
import {nearest} from '../io/suggest.js'

/**
 * Checks that ids are unique per kind and that every reference resolves.
 * Both are fatal (exit 2): with an unknown zone or a doubled id there is no model to evaluate rules on.
 */
export function checkReferences(inv: Inventory, problems: ProblemList, catalog?: ProbeCatalog): void {
  const companies = indexById('company', inv.companies, problems)
  const people = indexById('person', inv.people, problems)
  const sites = indexById('site', inv.sites, problems)
  const zones = indexById('zone', inv.zones, problems)
  const terminals = indexById('terminal', inv.terminals, problems)
  indexById('waiver', inv.waivers, problems)
  const profiles = new Map<string, unknown>((catalog?.builtin ?? []).map((name) => [name, true]))
  for (const p of inv.profiles) {
    if (profiles.has(p.name))
      problems.at(p.source, 'E_DUPLICATE', `profile "${p.name}" is declared twice (or shadows a built-in profile)`)
    profiles.set(p.name, p)
    if (!catalog) continue
    const paths = catalog.bases[p.base]
    if (!paths)
      problems.at(
        p.source,
        'E_REF',
        `profile "${p.name}": unknown base "${p.base}" (known: ${Object.keys(catalog.bases).join(', ')})`,
      )
    else
      for (const key of Object.keys(p.paths ?? {}))
        if (!paths.includes(key))
          problems.at(
            p.source,
            'E_REF',
            `profile "${p.name}": paths.${key} is not a path of base ${p.base} (known: ${paths.join(', ')})`,
          )
  }

  const ref = (pos: SourcePosition, what: string, id: string, known: Map<string, unknown>) => {
    if (!known.has(id)) problems.at(pos, 'E_REF', `unknown ${what} "${id}"`, suggest(id, known))
  }

  for (const p of inv.people) ref(p.source, 'company', p.company, companies)
  for (const z of inv.zones) for (const c of z.access) ref(z.source, 'company', c, companies)
  for (const t of inv.terminals) {
    const at = (field: string) => t.fieldSources[field] ?? t.source
    ref(at('site'), 'site', t.site, sites)
    ref(at('owner'), 'company', t.owner, companies)
    // Without the probe catalog (a caller that does not collect), profile names are checked when collecting.
    if (t.ssh.profile && catalog) ref(at('ssh'), 'probe profile', t.ssh.profile, profiles)
    const zone = zones.get(t.zone)
    if (!zone) ref(at('zone'), 'zone', t.zone, zones)
    else if (sites.has(t.site) && zone.site !== t.site) {
      problems.at(at('zone'), 'E_REF', `zone "${t.zone}" belongs to site "${zone.site}", not to "${t.site}"`)
    }
  }

  for (const w of inv.waivers) {
    for (const id of w.terminals) ref(w.source, 'terminal', id, terminals)
    ref(w.source, 'person', w.approver, people)
    if (w.expires < w.approved)
      problems.at(
        w.source,
        'E_SCHEMA',
        `waiver "${w.id}" expires (${w.expires}) before it was approved (${w.approved})`,
      )
  }

  checkLogReferences(inv, {companies, people, sites, terminals}, ref, problems)
}

type Ref = (pos: SourcePosition, what: string, id: string, known: Map<string, unknown>) => void

/**
 * What the access-log review reads: people's log ids and periods, emergency windows, retailers and supply points.
 * An emergency window approved by anyone but an NW-side person would let one company excuse itself: refused.
 */
function checkLogReferences(
  inv: Inventory,
  known: {
    companies: Map<string, Company>
    people: Map<string, Person>
    sites: Map<string, unknown>
    terminals: Map<string, unknown>
  },
  ref: Ref,
  problems: ProblemList,
): void {
  const logIds = new Map<string, Person>()
  for (const p of inv.people) {
    for (const id of p.log_ids) {
      const first = logIds.get(id)
      if (first && first !== p)
        problems.at(
          p.source,
          'E_DUPLICATE',
          `log id "${id}" of person "${p.id}" also belongs to "${first.id}" (first declared at ${formatPosition(first.source)})`,
        )
      else logIds.set(id, p)
    }

    let previousTo: string | undefined
    for (const [i, period] of p.periods.entries()) {
      ref(p.source, 'company', period.company, known.companies)
      if (period.from && period.to && period.to < period.from)
        problems.at(
          p.source,
          'E_SCHEMA',
          `people "${p.id}" periods[${i}]: ends (${period.to}) before it starts (${period.from})`,
        )
      if (i > 0 && (previousTo === undefined || !period.from || period.from <= previousTo))
        problems.at(
          p.source,
          'E_SCHEMA',
          `people "${p.id}" periods[${i}]: periods must be in order and must not overlap (the one before ends ${previousTo ?? 'never'})`,
        )
      previousTo = period.to
    }
  }

  const windowIds = new Set<string>()
  for (const w of inv.emergency_windows) {
    if (windowIds.has(w.id)) problems.at(w.source, 'E_DUPLICATE', `duplicate emergency window id "${w.id}"`)
    windowIds.add(w.id)
    for (const s of w.sites) ref(w.source, 'site', s, known.sites)
    for (const t of w.terminals) ref(w.source, 'terminal', t, known.terminals)
    if (w.to < w.from)
      problems.at(w.source, 'E_SCHEMA', `emergency window "${w.id}" ends (${w.to}) before it starts (${w.from})`)
    const approver = known.people.get(w.approver)
    if (!approver) ref(w.source, 'person', w.approver, known.people)
    else if (known.companies.get(approver.company)?.side !== 'nw')
      problems.at(
        w.source,
        'E_APPROVER',
        `emergency window "${w.id}" is approved by "${w.approver}", who is not of an NW-side company`,
        'only the NW side may open an emergency window',
      )
  }

  const retailers = new Map<string, unknown>()
  for (const r of inv.retailers) {
    if (retailers.has(r.id)) problems.at(r.source, 'E_DUPLICATE', `duplicate retailer id "${r.id}"`)
    retailers.set(r.id, r)
    if (r.company) {
      const company = known.companies.get(r.company)
      if (!company) ref(r.source, 'company', r.company, known.companies)
      else if (company.side !== 'retail')
        problems.at(
          r.source,
          'E_REF',
          `retailer "${r.id}" names company "${r.company}", which is not on the retail side`,
        )
    }
  }

  const points = new Map<string, SupplyPoint[]>()
  for (const sp of inv.supply_points) {
    ref(sp.source, 'retailer', sp.retailer, retailers)
    if (sp.from && sp.to && sp.to < sp.from)
      problems.at(sp.source, 'E_SCHEMA', `supply point ends (${sp.to}) before it starts (${sp.from})`)
    const earlier = points.get(sp.id) ?? []
    const clash = earlier.find(
      (e) => (e.from ?? '') <= (sp.to ?? '9999-12-31') && (sp.from ?? '') <= (e.to ?? '9999-12-31'),
    )
    if (clash)
      problems.at(
        sp.source,
        'E_DUPLICATE',
        `supply point has two retailers on the same day (see ${formatPosition(clash.source)})`,
      )
    points.set(sp.id, [...earlier, sp])
  }
}

function indexById<T extends {id: string; source: SourcePosition}>(
  what: string,
  items: T[],
  problems: ProblemList,
): Map<string, T> {
  const map = new Map<string, T>()
  for (const item of items) {
    const first = map.get(item.id)
    if (first) {
      problems.at(
        item.source,
        'E_DUPLICATE',
        `duplicate ${what} id "${item.id}" (first declared at ${formatPosition(first.source)})`,
      )
    } else map.set(item.id, item)
  }

  return map
}

/** A "did you mean" for a mistyped id: the closest known id within a third of its length. */
function suggest(id: string, known: Map<string, unknown>): string | undefined {
  const [best] = nearest(id, known.keys(), 1)
  return best ? `did you mean "${best}"?` : undefined
}
