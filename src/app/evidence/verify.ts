import {lstat, mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, posix, relative, resolve, sep} from 'node:path'

import {canonicalJson} from '../../ledger/hash.js'
import {InputError} from '../../model/errors.js'
import {loadDeclared} from '../declared.js'
import {parseHandoff} from '../../ledger/handoff-format.js'
import {keyFingerprint, readPublicKey, verifyText} from '../../ledger/keys.js'
import type {Company, Finding} from '../../model/types.js'
import type {ArchiveLimits} from './archive.js'
import {auditBundle, type BundleAudit, type BundleLedgerTrust} from './bundle-audit.js'
import {hashFile} from './inputs.js'
import {EVIDENCE_FORMAT, LAYOUT, type Manifest, type ManifestSignature} from './layout.js'
import {describeReportDifference, renderBundleReports} from './render.js'

/** How a verifier anchors trust in the signer's key: a bundle that carries its own public key proves nothing alone. */
export interface TrustAnchor {
  /** An inventory the verifier already holds (e.g. from the company's repository): its companies' public keys. */
  inventory?: string
  /** Key fingerprints (`SHA256:…`) received out of band; the key itself is taken from the bundle's inventory. */
  keys?: string[]
}

/** One reason a bundle does not verify. */
export interface BundleProblem {
  kind:
    | 'missing'
    | 'extra'
    | 'altered'
    | 'not-a-file'
    | 'manifest'
    | 'signature'
    | 'signer'
    | 'not-reproduced'
    | 'not-backed'
  /** The bundle file concerned, if any. */
  path?: string
  message: string
}

/** The outcome of {@link verifyBundle}; `ok` only when every check passed (fail closed). */
export interface BundleVerification {
  bundle: string
  ok: boolean
  signer: {company: string; key: string} | null
  trusted_by: 'inventory' | 'pinned-key' | null
  now: string | null
  tool: {bundle: string | null; verifier: string}
  files: number
  /** Findings of the re-run: null when it could not run. */
  findings: number | null
  reproduced: boolean
  /**
   * From a ledger database: the lists each other company signed that verified with its trusted key, and the newest
   * date it signed one of them (its word goes as of then); empty when the bundle has none.
   */
  other_signed: {company: string; lists: number; newest: string}[]
  problems: BundleProblem[]
}

const MAX_MANIFEST = 64 * 1024 * 1024

/**
 * Checks an evidence bundle (folder or archive): every file against the signed manifest (missing, extra and
 * altered files named), the signature against a key the verifier trusts and that belongs to the signer in the
 * bundle's inventory, then re-runs the audit from the bundle's own inputs and compares the findings with its JSON
 * report. A damaged archive or unusable flags are exit 2 (thrown); everything else is a result.
 */
export async function verifyBundle(
  path: string,
  trust: TrustAnchor,
  verifierVersion: string,
  limits?: ArchiveLimits,
): Promise<BundleVerification> {
  if (!trust.inventory && !trust.keys?.length)
    throw new InputError([
      {
        code: 'E_FLAG',
        message: 'evidence verify needs a trust anchor: --trust-inventory FILE|DIR or --trust-key SHA256:…',
        hint: 'a bundle that carries its own public key proves nothing alone',
      },
    ])
  let st
  try {
    st = await lstat(path)
  } catch (error) {
    throw new InputError([
      {
        code: 'E_READ',
        message: `cannot read the bundle: ${(error as NodeJS.ErrnoException).code ?? error}`,
        file: path,
      },
    ])
  }

  // Absolute, so that the re-run's paths (made bundle-relative by stripping this prefix) match the recorded ones.
  if (st.isDirectory()) return verifyFolder(resolve(path), path, trust, verifierVersion)
  if (!st.isFile()) throw new InputError([{code: 'E_ARCHIVE', message: 'not a folder or an archive file', file: path}])
  const dir = await mkdtemp(join(tmpdir(), 'fleet-audit-verify-'))
  try {
    const {extractArchive} = await import('./archive.js')
    await extractArchive(path, dir, limits)
    return await verifyFolder(dir, path, trust, verifierVersion)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

async function verifyFolder(
  root: string,
  shownAs: string,
  trust: TrustAnchor,
  verifierVersion: string,
): Promise<BundleVerification> {
  const problems: BundleProblem[] = []
  const out: BundleVerification = {
    bundle: shownAs,
    ok: false,
    signer: null,
    trusted_by: null,
    now: null,
    tool: {bundle: null, verifier: verifierVersion},
    files: 0,
    findings: null,
    reproduced: false,
    other_signed: [],
    problems,
  }
  const onDisk = await walk(root, problems)
  const manifestText = await readSmall(root, LAYOUT.manifest, problems)
  const sigText = await readSmall(root, LAYOUT.signature, problems)
  if (manifestText === undefined) return out
  const manifest = parseManifest(manifestText, problems)
  if (!manifest) return out
  out.signer = manifest.signer
  out.now = manifest.now
  out.tool.bundle = manifest.tool.version

  // Files: every listed one present with its hash, nothing else.
  const listed = new Set(manifest.files.map((f) => f.path))
  for (const f of manifest.files) {
    if (!onDisk.has(f.path)) {
      problems.push({kind: 'missing', path: f.path, message: `${f.path}: missing`})
      continue
    }

    const {sha256, size} = await hashFile(join(root, ...f.path.split('/')))
    if (sha256 !== f.sha256 || size !== f.size)
      problems.push({
        kind: 'altered',
        path: f.path,
        message: `${f.path}: altered (SHA-256 ${sha256}, manifest says ${f.sha256})`,
      })
  }

  for (const p of onDisk)
    if (!listed.has(p) && p !== LAYOUT.manifest && p !== LAYOUT.signature)
      problems.push({kind: 'extra', path: p, message: `${p}: not in the manifest`})
  out.files = manifest.files.length

  // Signature: by the key the verifier trusts, belonging to the signer named in the bundle's own inventory.
  const bundleInventory = await loadDeclared(join(root, ...manifest.run.inventory.split('/'))).catch((error: Error) => {
    problems.push({kind: 'not-reproduced', message: `the bundle's inventory cannot be loaded: ${error.message}`})
    return undefined
  })
  if (sigText === undefined)
    problems.push({
      kind: 'signature',
      path: LAYOUT.signature,
      message: `${LAYOUT.signature}: missing: the bundle is not signed`,
    })
  else await checkSignature(manifestText, sigText, manifest, bundleInventory?.companies, trust, out)
  if (bundleInventory) await checkOtherKeys(root, manifest, bundleInventory.companies, trust, problems)

  // Re-run from the bundle's own inputs, at the bundle's "now", with the other companies' keys as the verifier
  // trusts them; compare with its JSON report, its ledger snapshot and heads, and every report re-rendered.
  if (bundleInventory)
    await checkReproduces(root, manifest, await ledgerTrust(manifest, bundleInventory.companies, trust), out)
  out.ok = problems.length === 0
  return out
}

async function checkSignature(
  manifestText: string,
  sigText: string,
  manifest: Manifest,
  bundleCompanies: readonly Company[] | undefined,
  trust: TrustAnchor,
  out: BundleVerification,
): Promise<void> {
  const problems = out.problems
  const signer = manifest.signer.company
  let sig: ManifestSignature
  try {
    sig = JSON.parse(sigText) as ManifestSignature
    if (sig.algorithm !== 'ed25519' || typeof sig.value !== 'string' || typeof sig.key !== 'string')
      throw new Error('not an Ed25519 signature')
  } catch (error) {
    problems.push({
      kind: 'signature',
      path: LAYOUT.signature,
      message: `${LAYOUT.signature}: unreadable (${(error as Error).message})`,
    })
    return
  }

  const inBundle = bundleCompanies?.find((c) => c.id === signer)
  if (bundleCompanies && !inBundle)
    problems.push({kind: 'signer', message: `signer "${signer}" is not a company of the bundle's inventory`})
  let keyText: string | undefined
  if (trust.inventory) {
    const trusted = (await loadDeclared(trust.inventory)).companies.find((c) => c.id === signer)
    if (!trusted)
      problems.push({
        kind: 'signer',
        message: `signer "${signer}" is not a company of the trusted inventory ${trust.inventory}`,
      })
    else if (!trusted.public_key)
      problems.push({
        kind: 'signer',
        message: `signer "${signer}" has no public_key in the trusted inventory ${trust.inventory}`,
      })
    else {
      keyText = trusted.public_key
      out.trusted_by = 'inventory'
    }
  } else if (inBundle) {
    if (!inBundle.public_key)
      problems.push({kind: 'signer', message: `signer "${signer}" has no public_key in the bundle's inventory`})
    else if (!trust.keys!.includes(keyFingerprint(readPublicKey(inBundle.public_key))))
      problems.push({
        kind: 'signer',
        message: `the key of signer "${signer}" (${keyFingerprint(readPublicKey(inBundle.public_key))}) is not one of the --trust-key fingerprints`,
      })
    else {
      keyText = inBundle.public_key
      out.trusted_by = 'pinned-key'
    }
  }

  if (keyText === undefined) return
  const key = readPublicKey(keyText)
  if (!verifyText(manifestText, sig, key)) {
    out.trusted_by = null
    problems.push({
      kind: 'signature',
      path: LAYOUT.manifest,
      message: `${LAYOUT.manifest}: the signature does not verify with the key of "${signer}" (${keyFingerprint(key)}): altered, or signed by ${sig.key}`,
    })
  }
}

/** The companies of an inventory by the fingerprint of their public_key (an unreadable key anchors nothing). */
function keyOwners(companies: readonly Company[]): Map<string, string[]> {
  const owners = new Map<string, string[]>()
  for (const c of companies) {
    if (!c.public_key) continue
    try {
      const fp = keyFingerprint(readPublicKey(c.public_key))
      owners.set(fp, [...(owners.get(fp) ?? []), c.id])
    } catch {
      // not a key: the signer and trust checks name it
    }
  }

  return owners
}

/**
 * The re-run checks hand-off files (the other company's acknowledgements among them) with the public keys of the
 * bundle's own inventory, which its signer wrote: a retail signer could otherwise put a key of its own on the NW
 * company and sign NW's acknowledgements itself. So every key the re-run relies on must be anchored by the verifier
 * too: with --trust-inventory, each company's key in the bundle's inventory must be the trusted inventory's; with
 * --trust-key, the key of every company that signed a hand-off file in the bundle must be pinned as well.
 */
async function checkOtherKeys(
  root: string,
  manifest: Manifest,
  bundleCompanies: readonly Company[],
  trust: TrustAnchor,
  problems: BundleProblem[],
): Promise<void> {
  const fingerprint = (text: string | undefined) => {
    if (!text) return undefined
    try {
      return keyFingerprint(readPublicKey(text))
    } catch {
      return 'an unreadable key'
    }
  }

  if (trust.inventory) {
    const trusted = new Map(
      (await loadDeclared(trust.inventory)).companies.map((c) => [c.id, fingerprint(c.public_key)]),
    )
    for (const c of bundleCompanies) {
      const mine = fingerprint(c.public_key)
      const theirs = trusted.get(c.id)
      if (mine !== undefined && mine !== theirs)
        problems.push({
          kind: 'signer',
          message: `the public_key of "${c.id}" in the bundle's inventory (${mine}) is not the one in the trusted inventory ${trust.inventory} (${theirs ?? 'none'})`,
        })
    }

    return
  }

  // One key cannot stand for two companies: with fingerprints pinned, it would let one sign in the other's name.
  for (const [fp, ids] of keyOwners(bundleCompanies))
    if (ids.length > 1)
      problems.push({
        kind: 'signer',
        message: `the bundle's inventory gives ${ids.map((id) => `"${id}"`).join(' and ')} the same public_key (${fp}): one key cannot stand for two companies`,
      })

  if (!manifest.run.ledger || !('handoffs' in manifest.run.ledger)) return
  const byId = new Map(bundleCompanies.map((c) => [c.id, c]))
  const signers = new Set<string>()
  for (const file of manifest.run.ledger.handoffs) {
    try {
      signers.add(parseHandoff(await readFile(join(root, ...file.split('/')), 'utf8'), file).content.issuer)
    } catch {
      // an unreadable hand-off file fails the re-run, which names it
    }
  }

  for (const id of [...signers].sort()) {
    if (id === manifest.signer.company) continue
    const fp = fingerprint(byId.get(id)?.public_key)
    if (fp === undefined || !trust.keys!.includes(fp))
      problems.push({
        kind: 'signer',
        message: `hand-off files signed by "${id}" are checked with the key the bundle's own inventory gives it (${fp ?? 'none'}), which no --trust-key pins: pin it too, or verify with --trust-inventory`,
      })
  }
}

/**
 * The keys the re-run checks other companies' signed lists with: the trusted inventory's, or with --trust-key the
 * bundle inventory's keys whose fingerprints are pinned. Never a key only the bundle vouches for.
 */
async function ledgerTrust(
  manifest: Manifest,
  bundleCompanies: readonly Company[],
  trust: TrustAnchor,
): Promise<BundleLedgerTrust> {
  const keys = new Map<string, string>()
  if (trust.inventory) {
    for (const c of (await loadDeclared(trust.inventory)).companies) if (c.public_key) keys.set(c.id, c.public_key)
  } else {
    // A pinned fingerprint vouches for a company only if no other company in the bundle's inventory claims the same
    // key: otherwise the signer could give its own key to the other company and sign lists in its name.
    const byId = new Map(bundleCompanies.map((c) => [c.id, c.public_key]))
    for (const [fp, ids] of keyOwners(bundleCompanies))
      if (ids.length === 1 && trust.keys!.includes(fp)) keys.set(ids[0], byId.get(ids[0])!)
  }

  return {signer: manifest.signer.company, keyOf: (id) => keys.get(id)}
}

async function checkReproduces(
  root: string,
  manifest: Manifest,
  trust: BundleLedgerTrust,
  out: BundleVerification,
): Promise<void> {
  let rerun: BundleAudit
  try {
    rerun = await auditBundle(root, manifest.run, new Date(manifest.now), trust)
  } catch (error) {
    out.problems.push({
      kind: 'not-reproduced',
      message: `the audit cannot be re-run from the bundle: ${(error as Error).message}`,
    })
    return
  }

  out.findings = rerun.result.findings.length
  const before = out.problems.length
  // The ledger: what the signer says of other companies' records must be what they signed.
  for (const p of rerun.ledgerProblems)
    out.problems.push({
      kind: p.path === LAYOUT.ledgerEvents ? 'not-backed' : 'signature',
      path: p.path,
      message: p.message,
    })
  if (rerun.heads) {
    const recorded = await readFile(join(root, ...LAYOUT.ledgerHeads.split('/')), 'utf8').catch(() => undefined)
    const expected = `${JSON.stringify(rerun.heads, null, 2)}\n`
    if (recorded === undefined)
      out.problems.push({kind: 'missing', path: LAYOUT.ledgerHeads, message: `${LAYOUT.ledgerHeads}: missing`})
    else if (recorded !== expected)
      out.problems.push({
        kind: 'not-reproduced',
        path: LAYOUT.ledgerHeads,
        message: `${LAYOUT.ledgerHeads}: not what the bundle's events and signed lists give: ${describeReportDifference(LAYOUT.ledgerHeads, recorded, expected)}`,
      })
  }

  const by = new Map<string, {company: string; lists: number; newest: string}>()
  for (const l of rerun.heads?.signed_lists ?? []) {
    const c = by.get(l.issuer) ?? by.set(l.issuer, {company: l.issuer, lists: 0, newest: ''}).get(l.issuer)!
    c.lists++
    if (l.created_at > c.newest) c.newest = l.created_at
  }

  out.other_signed = [...by.values()]
  const said = manifest.summary === undefined ? 'none' : canonicalJson(manifest.summary)
  if (said !== canonicalJson(rerun.result.summary))
    out.problems.push({
      kind: 'not-reproduced',
      path: LAYOUT.manifest,
      message: `${LAYOUT.manifest}: its summary is not the re-run's (${said} vs ${canonicalJson(rerun.result.summary)})`,
    })

  let recorded: Finding[]
  try {
    recorded = (
      JSON.parse(await readFile(join(root, ...LAYOUT.reports.json.split('/')), 'utf8')) as {findings: Finding[]}
    ).findings
    if (!Array.isArray(recorded)) throw new Error('no findings list')
  } catch (error) {
    out.problems.push({
      kind: 'not-reproduced',
      path: LAYOUT.reports.json,
      message: `${LAYOUT.reports.json}: unreadable (${(error as Error).message})`,
    })
    return
  }

  for (const d of diffFindings(recorded, rerun.result.findings)) out.problems.push({kind: 'not-reproduced', message: d})

  // Every report, rendered again from the re-run (as the bundle's tool version would label it) and compared byte
  // for byte: a page or a SARIF log that says something the findings do not is named.
  const result = {...rerun.result, tool: {...rerun.result.tool, version: manifest.tool.version}}
  const versions =
    manifest.tool.version === out.tool.verifier
      ? ''
      : ` (made by fleet-audit ${manifest.tool.version}, verified with ${out.tool.verifier}: if only the rendering changed between them, verify with ${manifest.tool.version})`
  for (const [path, text] of Object.entries(renderBundleReports({result, details: rerun.details}, manifest.run.lang))) {
    const file = join(root, ...path.split('/'))
    const bytes = await readFile(file).catch(() => undefined)
    if (bytes === undefined) continue // named as missing by the file check
    if (!bytes.equals(Buffer.from(text, 'utf8')))
      out.problems.push({
        kind: 'not-reproduced',
        path,
        message: `${path}: not the report the re-run renders: ${describeReportDifference(path, bytes.toString('utf8'), text)}${versions}`,
      })
  }

  out.reproduced = out.problems.length === before
}

/** What differs between two finding lists, one line each, naming terminal and rule. */
export function diffFindings(recorded: readonly Finding[], rerun: readonly Finding[]): string[] {
  const key = (f: Finding) => `${f.terminal} ${f.rule} ${f.location.file}:${f.location.line}`
  const index = (list: readonly Finding[]) => {
    const m = new Map<string, string[]>()
    for (const f of list) (m.get(key(f)) ?? m.set(key(f), []).get(key(f))!).push(canonicalJson(f))
    return m
  }

  const a = index(recorded)
  const b = index(rerun)
  const out: string[] = []
  for (const [k, list] of a) {
    const other = b.get(k)
    if (!other) out.push(`re-run no longer finds: ${k}`)
    else if (list.sort().join('\n') !== other.sort().join('\n')) out.push(`re-run finds it differently: ${k}`)
  }

  for (const k of b.keys()) if (!a.has(k)) out.push(`re-run finds in addition: ${k}`)
  return out
}

function parseManifest(text: string, problems: BundleProblem[]): Manifest | undefined {
  let m: Manifest
  try {
    m = JSON.parse(text) as Manifest
  } catch (error) {
    problems.push({
      kind: 'manifest',
      path: LAYOUT.manifest,
      message: `${LAYOUT.manifest}: not JSON (${(error as Error).message})`,
    })
    return undefined
  }

  const okPath = (p: unknown) =>
    typeof p === 'string' &&
    p !== '' &&
    !posix.isAbsolute(p) &&
    posix.normalize(p) === p &&
    !p.split('/').includes('..')
  const valid =
    m !== null &&
    typeof m === 'object' &&
    m.format === EVIDENCE_FORMAT &&
    typeof m.now === 'string' &&
    !Number.isNaN(Date.parse(m.now)) &&
    typeof m.signer?.company === 'string' &&
    Array.isArray(m.files) &&
    m.files.every((f) => okPath(f?.path) && typeof f.sha256 === 'string' && typeof f.size === 'number') &&
    typeof m.run === 'object' &&
    okPath(m.run.inventory) &&
    okPath(m.run.builtin_rules) &&
    Array.isArray(m.run.rules) &&
    m.run.rules.every(okPath) &&
    (m.run.facts === null || okPath(m.run.facts)) &&
    // The ledger the re-run reads is a bundle file too: never a path that leaves the bundle.
    (m.run.ledger === null ||
      (typeof m.run.ledger === 'object' &&
        ('events' in m.run.ledger
          ? okPath(m.run.ledger.events) &&
            (m.run.ledger.signed === undefined ||
              (Array.isArray(m.run.ledger.signed) && m.run.ledger.signed.every(okPath)))
          : Array.isArray(m.run.ledger.handoffs) && m.run.ledger.handoffs.every(okPath))))
  if (!valid) {
    problems.push({
      kind: 'manifest',
      path: LAYOUT.manifest,
      message: `${LAYOUT.manifest}: not a ${EVIDENCE_FORMAT} manifest`,
    })
    return undefined
  }

  return m
}

/** Every path below the root, bundle-relative; anything but a plain file or folder (a symlink) is a problem. */
async function walk(root: string, problems: BundleProblem[]): Promise<Set<string>> {
  const files = new Set<string>()
  for (const e of await readdir(root, {recursive: true, withFileTypes: true})) {
    const p = relative(root, join(e.parentPath, e.name)).split(sep).join('/')
    if (e.isFile()) files.add(p)
    else if (!e.isDirectory())
      problems.push({kind: 'not-a-file', path: p, message: `${p}: not a regular file (a link or device)`})
  }

  return files
}

async function readSmall(root: string, name: string, problems: BundleProblem[]): Promise<string | undefined> {
  const file = join(root, name)
  try {
    const st = await lstat(file)
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), {code: 'ENOTFILE'})
    if (st.size > MAX_MANIFEST) throw Object.assign(new Error('too large'), {code: 'E2BIG'})
    return await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      if (name === LAYOUT.manifest)
        problems.push({
          kind: 'missing',
          path: name,
          message: `${name}: missing: not an evidence bundle, or its manifest was removed`,
        })
    } else
      problems.push({
        kind: 'manifest',
        path: name,
        message: `${name}: unreadable (${(error as NodeJS.ErrnoException).code ?? error})`,
      })
    return undefined
  }
}
