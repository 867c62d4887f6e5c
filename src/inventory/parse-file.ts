import {createPrivateKey, createPublicKey} from 'node:crypto'

import type {Problem} from '../model/errors.js'
import type {
  Company,
  DeclaredProfile,
  EmergencyWindow,
  Person,
  Policy,
  Retailer,
  Site,
  SourcePosition,
  SshSettings,
  SupplyPoint,
  Terminal,
  Waiver,
  Zone,
} from '../model/types.js'
import {schemaProblems, schemaValidator} from '../io/schema.js'
import {
  forEachField,
  nodeAt,
  positionAt,
  positionOfNode,
  positionReader,
  readYamlFile,
  readYamlFileFast,
  seqItems,
  type YamlResult,
  type YamlSource,
} from '../io/yaml.js'

/** A terminal as declared in one file: raw fields plus where they are. Defaults are applied at merge. */
export type DeclaredTerminal = Omit<Terminal, 'macs' | 'tags' | 'status' | 'auth' | 'ssh'> &
  Partial<Pick<Terminal, 'macs' | 'tags' | 'status' | 'auth' | 'ssh'>>

/**
 * One inventory file, validated and turned into plain data with source positions. Plain data (no YAML tree) so
 * that it can cross a worker-thread boundary and so that a large file's syntax tree is freed right away.
 */
export interface FilePart {
  file: string
  companies: Company[]
  people: Person[]
  sites: Site[]
  zones: Zone[]
  terminals: DeclaredTerminal[]
  waivers: Waiver[]
  profiles: DeclaredProfile[]
  emergency_windows: EmergencyWindow[]
  retailers: Retailer[]
  supply_points: SupplyPoint[]
  policy?: {value: Partial<Policy>; at: SourcePosition; timezoneAt: SourcePosition}
  defaults?: {value: {ssh?: SshSettings}; at: SourcePosition}
}

export type FileResult = {ok: true; part: FilePart} | {ok: false; problems: Problem[]}

interface RawFile {
  companies?: Omit<Company, 'source'>[]
  people?: (Omit<Person, 'source' | 'log_ids' | 'periods'> & Partial<Pick<Person, 'log_ids' | 'periods'>>)[]
  sites?: (Omit<Site, 'source' | 'subnets'> & {subnets?: string[]; zones?: Omit<Zone, 'source' | 'site'>[]})[]
  terminals?: Omit<DeclaredTerminal, 'source' | 'fieldSources'>[]
  waivers?: Omit<Waiver, 'source'>[]
  profiles?: Omit<DeclaredProfile, 'source'>[]
  emergency_windows?: (Omit<EmergencyWindow, 'source' | 'terminals'> & {terminals?: string[]})[]
  retailers?: Omit<Retailer, 'source'>[]
  supply_points?: Omit<SupplyPoint, 'source'>[]
  policy?: Partial<Policy>
  defaults?: {ssh?: SshSettings}
}

/** Reads, parses and schema-validates one inventory file; never throws for bad input. */
export async function parseInventoryFile(file: string, maxBytes: number): Promise<FileResult> {
  return checkInventoryFile(await readYamlFile(file, maxBytes))
}

/**
 * `parseInventoryFile` for a file in the YAML fast path's subset; `{declined: size}` for any other file, which the
 * caller parses with `parseInventoryFile` (in a worker thread when there are many such bytes).
 */
export async function parseInventoryFileFast(file: string, maxBytes: number): Promise<FileResult | {declined: number}> {
  const result = await readYamlFileFast(file, maxBytes)
  return 'declined' in result ? result : checkInventoryFile(result)
}

function checkInventoryFile(result: YamlResult): FileResult {
  if (!result.ok) return result
  const validate = schemaValidator('inventory.schema.json')
  if (!validate(result.source.value)) return {ok: false, problems: schemaProblems(result.source, validate.errors)}
  const keys = publicKeyProblems(result.source)
  if (keys.length > 0) return {ok: false, problems: keys}
  return {ok: true, part: toPart(result.source)}
}

/**
 * A company's `public_key` must be an Ed25519 public key. A private key pasted there by mistake is refused at its
 * place (and never echoed: key material is never printed).
 */
function publicKeyProblems(src: YamlSource): Problem[] {
  const problems: Problem[] = []
  ;((src.value as RawFile).companies ?? []).forEach((c, i) => {
    const text = c.public_key
    if (text === undefined) return
    const at = positionAt(src, ['companies', i, 'public_key'])
    const bad = (message: string): void =>
      void problems.push({code: 'E_KEY', message: `companies[${i}].public_key: ${message}`, ...at})
    if (/PRIVATE KEY/.test(text) || isPrivateKey(text))
      return bad(
        'this is a private key: put only the public key (the .pub file from `fleet-audit ledger keygen`) in the inventory, and treat the private key as exposed',
      )
    try {
      const key = text.includes('-----BEGIN')
        ? createPublicKey(text)
        : createPublicKey({key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki'})
      if (key.asymmetricKeyType !== 'ed25519') bad(`not an Ed25519 public key (${key.asymmetricKeyType})`)
    } catch {
      bad('not a public key (expected the PEM block from `fleet-audit ledger keygen`)')
    }
  })
  return problems
}

function isPrivateKey(text: string): boolean {
  try {
    createPrivateKey({key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'pkcs8'})
    return true
  } catch {
    return false
  }
}

function toPart(src: YamlSource): FilePart {
  const raw = src.value as RawFile
  const at = (...path: (string | number)[]) => positionAt(src, path)
  const part: FilePart = {
    file: src.file,
    companies: [],
    people: [],
    sites: [],
    zones: [],
    terminals: [],
    waivers: [],
    profiles: [],
    emergency_windows: [],
    retailers: [],
    supply_points: [],
  }
  raw.companies?.forEach((c, i) => part.companies.push({...c, source: at('companies', i)}))
  raw.people?.forEach((p, i) =>
    part.people.push({...p, log_ids: p.log_ids ?? [], periods: p.periods ?? [], source: at('people', i)}),
  )
  raw.emergency_windows?.forEach((w, i) =>
    part.emergency_windows.push({...w, terminals: w.terminals ?? [], source: at('emergency_windows', i)}),
  )
  raw.retailers?.forEach((r, i) => part.retailers.push({...r, source: at('retailers', i)}))
  // A supply point table can be long: read positions off each item's node rather than walking from the root.
  const spNodes = seqItems(src, nodeAt(src, ['supply_points']))
  raw.supply_points?.forEach((sp, i) => {
    const node = spNodes?.[i]
    part.supply_points.push({...sp, source: node ? positionOfNode(src, node) : at('supply_points', i)})
  })
  raw.sites?.forEach((s, i) => {
    const {zones, subnets, ...site} = s
    part.sites.push({...site, subnets: subnets ?? [], source: at('sites', i)})
    zones?.forEach((z, j) => part.zones.push({...z, site: s.id, source: at('sites', i, 'zones', j)}))
  })
  raw.waivers?.forEach((w, i) => part.waivers.push({...w, source: at('waivers', i)}))
  raw.profiles?.forEach((p, i) => part.profiles.push({...p, source: at('profiles', i)}))
  // A fleet file holds thousands of terminals: take each terminal's node once and read its fields' positions off it.
  const terminalNodes = seqItems(src, nodeAt(src, ['terminals']))
  const position = positionReader(src)
  // The parsed terminals are this load's own objects: their positions are added in place rather than to a copy of
  // each (a copy only for an object met twice, which a YAML alias can make).
  const seen = new Set<object>()
  raw.terminals?.forEach((t, i) => {
    const node = terminalNodes?.[i]
    const source = node ? position(node) : at('terminals', i)
    const fieldSources: Record<string, SourcePosition> = {}
    forEachField(src, node, (key, value) => (fieldSources[key] = position(value)))

    const own = seen.has(t) ? {...t} : t
    seen.add(own)
    part.terminals.push(Object.assign(own, {source, fieldSources}))
  })
  if (raw.policy) part.policy = {value: raw.policy, at: at('policy'), timezoneAt: at('policy', 'timezone')}
  if (raw.defaults) part.defaults = {value: raw.defaults, at: at('defaults')}
  return part
}
