import {formatPosition, InventoryError, type Problem, ProblemList} from '../errors.js'
import type {Company, Inventory, Person, Policy, Site, SourcePosition, SshSettings, Terminal, Waiver, Zone} from '../model.js'
import {schemaProblems, schemaValidator} from '../source/schema.js'
import {DEFAULT_MAX_FILE_SIZE, positionAt, readYamlFile, type YamlSource} from '../source/yaml.js'
import {inventoryFiles} from './files.js'
import {checkReferences} from './references.js'

/** Options for loading an inventory. */
export interface LoadInventoryOptions {
  maxFileSize?: number
}

/** The raw shape of one inventory file after schema validation. */
interface RawFile {
  companies?: Omit<Company, 'source'>[]
  people?: Omit<Person, 'source'>[]
  sites?: (Omit<Site, 'source' | 'subnets'> & {subnets?: string[]; zones?: Omit<Zone, 'source' | 'site'>[]})[]
  terminals?: RawTerminal[]
  waivers?: Omit<Waiver, 'source'>[]
  policy?: Partial<Policy>
  defaults?: {ssh?: SshSettings}
}

type RawTerminal = Omit<Terminal, 'source' | 'fieldSources' | 'macs' | 'tags' | 'status' | 'auth' | 'ssh'> &
  Partial<Pick<Terminal, 'macs' | 'tags' | 'status' | 'auth' | 'ssh'>>

const POLICY_DEFAULTS: Policy = {freshness_days: 7, ack_days: 5, max_waiver_days: 90, timezone: 'Asia/Tokyo'}

/**
 * Loads, validates and merges an inventory file or folder.
 * Every problem in every file is collected and thrown at once as an InventoryError (exit 2).
 */
export async function loadInventory(path: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  const files = await inventoryFiles(path)
  const maxBytes = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE
  const results = await Promise.all(files.map((f) => readYamlFile(f, maxBytes)))
  const problems = new ProblemList()
  const validate = schemaValidator('inventory.schema.json')
  const sources: YamlSource[] = []
  for (const result of results) {
    if (!result.ok) {
      for (const p of result.problems) problems.add(p)
      continue
    }

    if (!validate(result.source.value)) {
      for (const p of schemaProblems(result.source, validate.errors)) problems.add(p)
      continue
    }

    sources.push(result.source)
  }

  problems.throwIfAny(InventoryError)
  const inventory = mergeSources(path, files, sources, problems)
  checkReferences(inventory, problems)
  problems.throwIfAny(InventoryError)
  return inventory
}

function mergeSources(root: string, files: string[], sources: YamlSource[], problems: ProblemList): Inventory {
  const inv: Inventory = {
    root,
    files,
    companies: [],
    people: [],
    sites: [],
    zones: [],
    terminals: [],
    waivers: [],
    policy: {...POLICY_DEFAULTS},
    defaults: {ssh: {}},
  }
  let policyAt: SourcePosition | undefined
  let defaultsAt: SourcePosition | undefined
  const terminalsRaw: {raw: RawTerminal; src: YamlSource; index: number}[] = []

  for (const src of sources) {
    const raw = src.value as RawFile
    const at = (...path: (string | number)[]) => positionAt(src, path)
    raw.companies?.forEach((c, i) => inv.companies.push({...c, source: at('companies', i)}))
    raw.people?.forEach((p, i) => inv.people.push({...p, source: at('people', i)}))
    raw.sites?.forEach((s, i) => {
      const {zones, subnets, ...site} = s
      inv.sites.push({...site, subnets: subnets ?? [], source: at('sites', i)})
      zones?.forEach((z, j) => inv.zones.push({...z, site: s.id, source: at('sites', i, 'zones', j)}))
    })
    raw.waivers?.forEach((w, i) => inv.waivers.push({...w, source: at('waivers', i)}))
    raw.terminals?.forEach((t, i) => terminalsRaw.push({raw: t, src, index: i}))
    if (raw.policy) {
      policyAt = once(problems, 'policy', policyAt, at('policy'))
      inv.policy = {...POLICY_DEFAULTS, ...raw.policy}
      checkTimezone(inv.policy.timezone, at('policy', 'timezone'), problems)
    }

    if (raw.defaults) {
      defaultsAt = once(problems, 'defaults', defaultsAt, at('defaults'))
      inv.defaults = {ssh: {...raw.defaults.ssh}}
    }
  }

  // Terminals last, so that defaults from any file apply to terminals of every file.
  for (const {raw, src, index} of terminalsRaw) inv.terminals.push(toTerminal(raw, src, index, inv.defaults.ssh))
  return inv
}

function toTerminal(raw: RawTerminal, src: YamlSource, index: number, defaults: SshSettings): Terminal {
  const fieldSources: Record<string, SourcePosition> = {}
  for (const key of Object.keys(raw)) fieldSources[key] = positionAt(src, ['terminals', index, key])
  return {
    ...raw,
    status: raw.status ?? 'active',
    auth: raw.auth ?? 'device',
    macs: (raw.macs ?? []).map((m) => normalizeMac(m)),
    tags: raw.tags ?? [],
    ssh: {...defaults, ...raw.ssh},
    source: positionAt(src, ['terminals', index]),
    fieldSources,
  }
}

/** MACs compare as lowercase, colon-separated, whatever the inventory's writer used. */
export function normalizeMac(mac: string): string {
  return mac.toLowerCase().replaceAll('-', ':')
}

/** `policy` and `defaults` may each be declared in one file only; two declarations would silently override. */
function once(problems: ProblemList, key: string, first: SourcePosition | undefined, here: SourcePosition): SourcePosition {
  if (first) problems.at(here, 'E_DUPLICATE', `"${key}" is declared twice (first at ${formatPosition(first)})`)
  return first ?? here
}

function checkTimezone(tz: string, pos: SourcePosition, problems: ProblemList): void {
  try {
    new Intl.DateTimeFormat('en', {timeZone: tz})
  } catch {
    problems.at(pos, 'E_SCHEMA', `policy.timezone: unknown time zone "${tz}"`)
  }
}

export type {Problem}
