/**
 * The data model shared by every stage: inventory → facts → findings → reports and ledger.
 * Stages import these types; no stage imports another stage's internals.
 */

/** A place in a source file, 1-based, as editors and SARIF count. */
export interface SourcePosition {
  file: string
  line: number
  column: number
}

/** Which company a person or terminal works for, as far as the information barrier is concerned. */
export type Side = 'nw' | 'retail'
/** The client's setting: `nw` shows every customer's contract data, `retail` masks it. */
export type Role = 'nw' | 'retail'
export type TerminalStatus = 'planned' | 'active' | 'removed'
export type AuthMode = 'idcard' | 'device'
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info'

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info']

/** A company; contractors are companies too, on the side they work for. */
export interface Company {
  id: string
  name: string
  side: Side
  /** Ed25519 public key (PEM or base64 SPKI) used to check the company's signed hand-off lists. */
  public_key?: string
  source: SourcePosition
}

/** A person who can approve waivers or act in the ledger, and whose ids appear in access logs. */
export interface Person {
  id: string
  name: string
  /** The person's company; with `periods`, the company of the latest period. */
  company: string
  /** Login or ID-card ids the customer system logs for this person. */
  log_ids: string[]
  /** When the person belonged to which company; empty: always `company`. */
  periods: PersonPeriod[]
  source: SourcePosition
}

/** Why a person's period with a company ended. */
export type PeriodEnd = 'transfer' | 'contract-end' | 'leaving'

/** A span of days (inclusive) in which a person belonged to a company. */
export interface PersonPeriod {
  company: string
  /** First day; open when absent. */
  from?: string
  /** Last day (inclusive); open when absent. */
  to?: string
  end?: PeriodEnd
}

/** Days and sites in which a disaster-reception terminal may be used, approved by an NW-side person. */
export interface EmergencyWindow {
  id: string
  /** First and last day (inclusive), in the policy's time zone. */
  from: string
  to: string
  sites: string[]
  /** Only these terminals; empty: every disaster-reception terminal of the sites. */
  terminals: string[]
  approver: string
  reason: string
  source: SourcePosition
}

/** A retail electricity supplier; with `company`, the group's own retail company (its customers are not competitors'). */
export interface Retailer {
  id: string
  name: string
  company?: string
  source: SourcePosition
}

/** Which retailer supplies a supply point (供給地点特定番号), from which day to which (inclusive). */
export interface SupplyPoint {
  id: string
  retailer: string
  from?: string
  to?: string
  source: SourcePosition
}

/** A site (office, customer center); subnets tell where a collected address really is. */
export interface Site {
  id: string
  name: string
  subnets: string[]
  source: SourcePosition
}

/** A room or area of a site, and the companies whose people can reach a terminal there. */
export interface Zone {
  id: string
  site: string
  name: string
  kind: string
  access: string[]
  source: SourcePosition
}

/** SSH settings that belong to the fleet (never key material, never the operator's paths). */
export interface SshSettings {
  user?: string
  port?: number
  /** Pinned host key fingerprint, OpenSSH `SHA256:` form. */
  host_key?: string
  /** Probe profile name, e.g. `linux`. */
  profile?: string
}

/** A declared terminal (asset). */
export interface Terminal {
  id: string
  hostname: string
  address?: string
  site: string
  zone: string
  owner: string
  role: Role
  status: TerminalStatus
  auth: AuthMode
  os?: string
  serial?: string
  macs: string[]
  tags: string[]
  ssh: SshSettings
  note?: string
  /** Day the terminal was installed (access logs before it are a finding). */
  installed?: string
  /** Day the terminal was removed (access logs after it are a finding). */
  removed?: string
  source: SourcePosition
  /** Positions of individual fields, e.g. `zone`, `role`, for precise annotations. */
  fieldSources: Record<string, SourcePosition>
}

/** Policy knobs; dates are whole days in `timezone`. */
export interface Policy {
  /** From this day on (inclusive), `auth: idcard` is required of every active terminal. */
  idcard_required_from?: string
  freshness_days: number
  ack_days: number
  max_waiver_days: number
  timezone: string
}

/** An approved, time-limited exception for one rule on some terminals. */
export interface Waiver {
  id: string
  rule: string
  terminals: string[]
  reason: string
  approver: string
  approved: string
  expires: string
  source: SourcePosition
}

/** A probe profile declared in the inventory: a built-in base with its files elsewhere. */
export interface DeclaredProfile {
  name: string
  /** A built-in profile that can be adapted (see ProbeCatalog.bases). */
  base: string
  /** Files the base reads, moved (keys: the base's path names). */
  paths?: Record<string, string>
  source: SourcePosition
}

/**
 * What the inventory is told about probe profiles, derived from the probe registry (src/facts/probes): the built-in
 * names `ssh.profile` may use, and for each adaptable base the path names a `profiles:` entry may set.
 */
export interface ProbeCatalog {
  builtin: readonly string[]
  bases: Readonly<Record<string, readonly string[]>>
}

/** The whole declared inventory, merged from one file or a folder of files. */
export interface Inventory {
  /** The file or folder it was loaded from. */
  root: string
  files: string[]
  companies: Company[]
  people: Person[]
  sites: Site[]
  zones: Zone[]
  terminals: Terminal[]
  waivers: Waiver[]
  policy: Policy
  defaults: {ssh: SshSettings}
  profiles: DeclaredProfile[]
  /** Days and sites in which disaster-reception terminals may be used. */
  emergency_windows: EmergencyWindow[]
  retailers: Retailer[]
  supply_points: SupplyPoint[]
}

/** Why collection did not yield trustworthy facts; `ok` means it did. */
export type Outcome =
  | 'ok'
  | 'unresolved'
  | 'refused'
  | 'timeout'
  | 'auth'
  | 'hostkey-unknown'
  | 'hostkey-changed'
  | 'probe-failed'
  | 'output-invalid'

export const OUTCOMES: readonly Outcome[] = [
  'ok',
  'unresolved',
  'refused',
  'timeout',
  'auth',
  'hostkey-unknown',
  'hostkey-changed',
  'probe-failed',
  'output-invalid',
]

/** What the customer-system client on the terminal says about itself. */
export interface ClientFacts {
  terminal_id: string
  role: Role
  auth: AuthMode
  serial: string
  /** Lowercase, colon-separated. */
  macs: string[]
  ips: string[]
}

/** What the operating system says. */
export interface OsFacts {
  hostname: string
  machine_id: string
  name: string
  /** Windows: the NetBIOS computer name (the hostname is the DNS host name). */
  computer_name?: string
  /** Windows: the OS build number. */
  build?: string
  /** Windows: the BIOS serial number, the hardware's own (the client's `serial` is what the client was set to). */
  serial?: string
  /** Windows: MAC addresses of physical adapters, lowercase, colon-separated. */
  macs?: string[]
  /** Windows: IP addresses of those adapters. */
  ips?: string[]
}

/** The facts document for one terminal, as written by `collect` and read by `audit --facts`. */
export interface Facts {
  terminal: string
  collected_at: string
  outcome: Outcome
  /** The host key the server presented, `SHA256:` form. */
  host_key?: string
  /** How that key was trusted: the inventory's pin, known_hosts, or accepted on first use (`--accept-new`). */
  host_key_via?: 'pin' | 'known_hosts' | 'accept-new'
  client?: ClientFacts
  os?: OsFacts
  /** For anything not `ok`: why, and the offending raw value, escaped (JSON string escapes, C0/C1 as \uXXXX). */
  error?: {reason: string; raw?: string}
  /** Free-form details from the collector (profile, address, duration); never read by rules. */
  meta?: Record<string, unknown>
}

/** A facts file that could not be used; the terminal it names counts as unverified. */
export interface FactsProblem {
  terminal: string
  file: string
  message: string
}

/** Facts read from a folder: good documents and problems, by terminal id. */
export interface FactSet {
  dir: string
  facts: Map<string, Facts & {file: string}>
  problems: Map<string, FactsProblem>
}

/** A localized text; English is always present. */
export interface Localized {
  en: string
  ja: string
}

/** One problem found by a rule. */
export interface Finding {
  rule: string
  severity: Severity
  /** Terminal id; for facts of an undeclared terminal, the id the facts name. */
  terminal: string
  site?: string
  zone?: string
  message: Localized
  expected?: string
  actual?: string
  /** Where the terminal (or the offending waiver or facts file) is declared. */
  location: SourcePosition
  /** Other places involved, e.g. the first declaration of a duplicate. */
  related?: SourcePosition[]
  /**
   * Set when the rule could not be evaluated for this terminal (its condition failed or exceeded the evaluation
   * budget): the finding says so, and reports never show it as a pass.
   */
  unevaluated?: true
  /** The waiver that hides this finding, if any; waived findings never count toward the exit code. */
  waiver?: {id: string; expires: string; approver: string}
}
