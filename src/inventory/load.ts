import {formatPosition, InventoryError, ProblemList} from '../model/errors.js'
import {normalizeMac} from '../io/mac.js'
import type {Inventory, Policy, ProbeCatalog, SourcePosition, SshSettings, Terminal} from '../model/types.js'
import {DEFAULT_MAX_FILE_SIZE} from '../io/read.js'
import {dayIn} from '../io/time.js'
import {inventoryFiles} from './files.js'
import type {DeclaredTerminal, FilePart} from './parse-file.js'
import {parseInventoryFiles} from './parse-pool.js'
import {checkReferences} from './references.js'

/** Options for loading an inventory. */
export interface LoadInventoryOptions {
  maxFileSize?: number
  /** Probe profiles the inventory may name (from the probe registry); without it, names are checked when collecting. */
  profiles?: ProbeCatalog
}

const POLICY_DEFAULTS: Policy = {freshness_days: 7, ack_days: 5, max_waiver_days: 90, timezone: 'Asia/Tokyo'}

/**
 * Loads, validates and merges an inventory file or folder.
 * Every problem in every file is collected and thrown at once as an InventoryError (exit 2).
 */
export async function loadInventory(path: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  const files = await inventoryFiles(path)
  const results = await parseInventoryFiles(files, options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE)
  const problems = new ProblemList()
  const parts: FilePart[] = []
  for (const result of results) {
    if (result.ok) parts.push(result.part)
    else for (const p of result.problems) problems.add(p)
  }

  problems.throwIfAny(InventoryError)
  const inventory = mergeParts(path, files, parts, problems)
  checkReferences(inventory, problems, options.profiles)
  problems.throwIfAny(InventoryError)
  return inventory
}

function mergeParts(root: string, files: string[], parts: FilePart[], problems: ProblemList): Inventory {
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
    profiles: [],
    emergency_windows: [],
    retailers: [],
    supply_points: [],
  }
  let policyAt: SourcePosition | undefined
  let defaultsAt: SourcePosition | undefined
  for (const part of parts) {
    inv.companies.push(...part.companies)
    inv.people.push(...part.people)
    inv.sites.push(...part.sites)
    inv.zones.push(...part.zones)
    inv.waivers.push(...part.waivers)
    inv.profiles.push(...part.profiles)
    inv.emergency_windows.push(...part.emergency_windows)
    inv.retailers.push(...part.retailers)
    for (const sp of part.supply_points) inv.supply_points.push(sp)
    if (part.policy) {
      policyAt = once(problems, 'policy', policyAt, part.policy.at)
      inv.policy = {...POLICY_DEFAULTS, ...part.policy.value}
      checkTimezone(inv.policy.timezone, part.policy.timezoneAt, problems)
    }

    if (part.defaults) {
      defaultsAt = once(problems, 'defaults', defaultsAt, part.defaults.at)
      inv.defaults = {ssh: {...part.defaults.value.ssh}}
    }
  }

  // Terminals last, so that defaults from any file apply to terminals of every file.
  for (const part of parts) for (const t of part.terminals) inv.terminals.push(toTerminal(t, inv.defaults.ssh))
  return inv
}

/**
 * Completes a declared terminal with its defaults, in place: each FilePart terminal is an object of this load alone
 * (see toPart), and the keys end up in the order a copy `{...t, status, auth, macs, tags, ssh}` would give them.
 */
function toTerminal(t: DeclaredTerminal, defaults: SshSettings): Terminal {
  const terminal = t as Terminal
  terminal.status = t.status ?? 'active'
  terminal.auth = t.auth ?? 'device'
  terminal.macs = (t.macs ?? []).map((m) => normalizeMac(m))
  terminal.tags = t.tags ?? []
  terminal.ssh = {...defaults, ...t.ssh}
  return terminal
}

/** `policy` and `defaults` may each be declared in one file only; two declarations would silently override. */
function once(
  problems: ProblemList,
  key: string,
  first: SourcePosition | undefined,
  here: SourcePosition,
): SourcePosition {
  if (first) problems.at(here, 'E_DUPLICATE', `"${key}" is declared twice (first at ${formatPosition(first)})`)
  return first ?? here
}

function checkTimezone(tz: string, pos: SourcePosition, problems: ProblemList): void {
  try {
    // The formatter every later "today" in this zone uses (cached by dayIn): an unknown zone throws building it.
    dayIn(new Date(0), tz)
  } catch {
    problems.at(pos, 'E_SCHEMA', `policy.timezone: unknown time zone "${tz}"`)
  }
}
