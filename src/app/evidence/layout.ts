import {type AuditResult, type FailOn} from '../../model/result.js'
import type {Signature} from '../../ledger/keys.js'

/** The manifest's format id; a verifier refuses formats it does not know. */
export const EVIDENCE_FORMAT = 'fleet-audit-evidence/1'

/** Where things live inside a bundle (paths relative to its root, `/`-separated). */
export const LAYOUT = {
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  inventory: 'inputs/inventory',
  facts: 'inputs/facts',
  builtinRules: 'inputs/rules/builtin',
  extraRules: 'inputs/rules/extra',
  handoffs: 'inputs/ledger',
  ledgerEvents: 'ledger/events.json',
  ledgerHeads: 'ledger/heads.json',
  /** The other companies' signed hand-off lists, as the ledger database keeps them, that back their records. */
  ledgerSigned: 'ledger/signed',
  logHashes: 'logs/hashes.json',
  reports: {html: 'reports/audit.html', json: 'reports/audit.json', sarif: 'reports/audit.sarif'},
} as const

/** One file of the bundle, as the signed manifest lists it. */
export interface ManifestFile {
  path: string
  sha256: string
  size: number
}

/** How the run was made, in bundle paths: what `evidence verify` re-runs. */
export interface BundleRun {
  kind: AuditResult['kind']
  /** The inventory inside the bundle: the folder, or the one file. */
  inventory: string
  facts: string | null
  builtin_rules: string
  rules: string[]
  /**
   * The ledger the ledger rules read: a snapshot of a database's events with the other companies' signed lists
   * that back their records (`signed`; absent in bundles made before it was carried: nothing is then backed), or
   * signed hand-off files.
   */
  ledger: {events: string; signed?: string[]} | {handoffs: string[]} | null
  fail_on: FailOn
  lang: 'en' | 'ja'
  /** The paths given on the command line when the bundle was made (for people; never read back). */
  original: {inventory: string; facts: string | null; rules: string[]; db: string | null; handoffs: string[]}
}

/** manifest.json: signed, so everything it says (and through the hashes, every file) is covered. */
export interface Manifest {
  format: typeof EVIDENCE_FORMAT
  tool: {name: 'fleet-audit'; version: string}
  /** The run's "now" (ISO 8601); the re-run uses the same. */
  now: string
  signer: {company: string; key: string}
  run: BundleRun
  summary: AuditResult['summary']
  files: ManifestFile[]
}

/** manifest.sig: the Ed25519 signature over the exact bytes of manifest.json (the ledger's signature format). */
export type ManifestSignature = Signature
