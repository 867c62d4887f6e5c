import {formatPosition, type ProblemList} from '../errors.js'
import type {Inventory, SourcePosition} from '../model.js'
import {nearest} from '../suggest.js'

/**
 * Checks that ids are unique per kind and that every reference resolves.
 * Both are fatal (exit 2): with an unknown zone or a doubled id there is no model to evaluate rules on.
 */
export function checkReferences(inv: Inventory, problems: ProblemList): void {
  const companies = indexById('company', inv.companies, problems)
  const people = indexById('person', inv.people, problems)
  const sites = indexById('site', inv.sites, problems)
  const zones = indexById('zone', inv.zones, problems)
  const terminals = indexById('terminal', inv.terminals, problems)
  indexById('waiver', inv.waivers, problems)
  const profiles = new Map<string, unknown>([['linux', true], ['windows', true]])
  for (const p of inv.profiles) {
    if (profiles.has(p.name)) problems.at(p.source, 'E_DUPLICATE', `profile "${p.name}" is declared twice (or shadows a built-in profile)`)
    profiles.set(p.name, p)
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
    if (t.ssh.profile) ref(at('ssh'), 'probe profile', t.ssh.profile, profiles)
    const zone = zones.get(t.zone)
    if (!zone) ref(at('zone'), 'zone', t.zone, zones)
    else if (sites.has(t.site) && zone.site !== t.site) {
      problems.at(at('zone'), 'E_REF', `zone "${t.zone}" belongs to site "${zone.site}", not to "${t.site}"`)
    }
  }

  for (const w of inv.waivers) {
    for (const id of w.terminals) ref(w.source, 'terminal', id, terminals)
    ref(w.source, 'person', w.approver, people)
    if (w.expires < w.approved) problems.at(w.source, 'E_SCHEMA', `waiver "${w.id}" expires (${w.expires}) before it was approved (${w.approved})`)
  }
}

function indexById<T extends {id: string; source: SourcePosition}>(what: string, items: T[], problems: ProblemList): Map<string, T> {
  const map = new Map<string, T>()
  for (const item of items) {
    const first = map.get(item.id)
    if (first) {
      problems.at(item.source, 'E_DUPLICATE', `duplicate ${what} id "${item.id}" (first declared at ${formatPosition(first.source)})`)
    } else map.set(item.id, item)
  }

  return map
}

/** A "did you mean" for a mistyped id: the closest known id within a third of its length. */
function suggest(id: string, known: Map<string, unknown>): string | undefined {
  const [best] = nearest(id, known.keys(), 1)
  return best ? `did you mean "${best}"?` : undefined
}
