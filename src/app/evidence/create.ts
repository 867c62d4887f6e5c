import {copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, dirname, join, relative, sep} from 'node:path'

import type {AuditResult} from '../../model/result.js'
import {InputError} from '../../model/errors.js'
import type {FailOn} from '../../model/result.js'
import {inventoryFiles} from '../../inventory/files.js'
import {loadDeclared} from '../declared.js'
import {keyFingerprint, readPrivateKey, readPublicKey, signText} from '../../ledger/keys.js'
import {openLedger} from '../../ledger/store.js'
import {keptHandoffs} from '../../ledger/kept-handoffs.js'
import {ledgerView, type ViewEvent} from '../../ledger/view.js'
import {verifyLedger} from '../../ledger/verify.js'
import {BUILTIN_RULES_DIR} from '../../rules/dir.js'
import {VERSION} from '../../io/paths.js'
import {auditBundle, type BundleLedgerTrust} from './bundle-audit.js'
import {hashFile} from './inputs.js'
import {type BundleRun, EVIDENCE_FORMAT, LAYOUT, type Manifest} from './layout.js'
import {type CarriedList, type LedgerHeads, trustedLedger} from './ledger-trust.js'
import {renderBundleReports} from './render.js'

/** What goes into an evidence bundle, and who signs it. */
export interface CreateBundleOptions {
  inventory: string
  facts?: string
  rules?: string[]
  /**
   * A ledger database, read-only: its events are kept as a snapshot, with the other companies' signed hand-off
   * lists it imported (rebuilt from what it keeps) that back their records, and the chain heads.
   */
  db?: string
  /** Signed hand-off files, copied into the bundle. */
  handoffs?: string[]
  /** Files whose hashes (never content) are recorded: access logs. */
  logs?: string[]
  failOn: FailOn
  lang: 'en' | 'ja'
  /** The company's Ed25519 private key (PEM file, as `ledger keygen` writes it). */
  keyFile: string
  /** A folder (must not exist) or an archive file ending in .tar.gz or .tgz. */
  output: string
}

/** What was written. */
export interface CreateBundleResult {
  output: string
  archive: boolean
  signer: {company: string; key: string}
  /** The files the signed manifest lists (the manifest and its signature come with them): what `verify` counts. */
  files: number
  result: AuditResult
  /**
   * What the database says that the other companies' signed lists do not back (e.g. an acknowledgement no list
   * carries): the bundle shows it as they sign it (not acknowledged), and says so here.
   */
  ledger_notes: string[]
}

/** True when the output path names an archive rather than a folder. */
export function isArchivePath(path: string): boolean {
  return /\.(tar\.gz|tgz)$/.test(path)
}

/**
 * Writes the evidence bundle of one run. The inputs are copied first and the audit runs from the copies (with the
 * bundle's own rule packs), so the reports describe exactly the bytes that are hashed; the manifest lists every
 * file's SHA-256 and is signed with the company key, whose public half must be the `public_key` of a company in
 * the inventory (that company is the signer). Written into a temporary place and renamed: never half a bundle.
 */
export async function createBundle(options: CreateBundleOptions, now: Date): Promise<CreateBundleResult> {
  const archive = isArchivePath(options.output)
  if (await exists(options.output))
    throw new InputError([
      {code: 'E_EXISTS', message: 'already exists; refusing to overwrite evidence', file: options.output},
    ])
  const key = readPrivateKey(await readInput(options.keyFile, 'private key'))
  const fingerprint = keyFingerprint(key)
  const inventory = await loadDeclared(options.inventory)
  const signer = inventory.companies.find(
    (c) => c.public_key && keyFingerprint(readPublicKey(c.public_key)) === fingerprint,
  )
  if (!signer)
    throw new InputError([
      {
        code: 'E_SIGNER',
        message: `the key ${fingerprint} is not the public_key of any company in the inventory`,
        file: options.keyFile,
        hint: 'put the .pub from `ledger keygen` on the company that signs',
      },
    ])

  const stage = archive
    ? await mkdtemp(join(tmpdir(), 'fleet-audit-evidence-'))
    : join(dirname(options.output), `.${basename(options.output)}.${process.pid}.partial`)
  try {
    await mkdir(stage, {recursive: true})
    const trust = {signer: signer.id, keyOf: (id: string) => inventory.companies.find((c) => c.id === id)?.public_key}
    const {run, notes} = await stageInputs(stage, options, trust)
    const result = await writeReports(stage, run, now, trust)
    const files = await listFiles(stage)
    const manifest: Manifest = {
      format: EVIDENCE_FORMAT,
      tool: {name: 'fleet-audit', version: VERSION},
      now: now.toISOString(),
      signer: {company: signer.id, key: fingerprint},
      run,
      summary: result.summary,
      files: await Promise.all(
        files.map(async (path) => ({path, ...(await hashFile(join(stage, ...path.split('/'))))})),
      ),
    }
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`
    await writeFile(join(stage, LAYOUT.manifest), manifestText)
    await writeFile(join(stage, LAYOUT.signature), `${JSON.stringify(signText(manifestText, key), null, 2)}\n`)
    if (archive) {
      const partial = `${options.output}.${process.pid}.partial`
      // The archive library is loaded only by the commands that need it (start-up of every other command stays lean).
      const {packArchive} = await import('./archive.js')
      await packArchive(stage, [...files, LAYOUT.manifest, LAYOUT.signature], partial, now)
      await rename(partial, options.output)
    } else await rename(stage, options.output)
    return {
      output: options.output,
      archive,
      signer: manifest.signer,
      files: files.length,
      result,
      ledger_notes: notes,
    }
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError([
      {
        code: 'E_EVIDENCE',
        message: `cannot write the bundle: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        file: options.output,
      },
    ])
  } finally {
    if (archive || (await exists(stage))) await rm(stage, {recursive: true, force: true})
  }
}

/** Copies every input into the bundle's layout and says where each went. */
async function stageInputs(
  stage: string,
  options: CreateBundleOptions,
  trust: BundleLedgerTrust,
): Promise<{run: BundleRun; notes: string[]}> {
  const at = (p: string) => join(stage, ...p.split('/'))
  const root = options.inventory
  const invFiles = await inventoryFiles(root)
  const single = (await stat(root)).isFile()
  for (const file of invFiles)
    await copyInto(
      file,
      at(single ? `${LAYOUT.inventory}/${basename(file)}` : `${LAYOUT.inventory}/${toPosix(relative(root, file))}`),
    )
  await copyDir(BUILTIN_RULES_DIR, at(LAYOUT.builtinRules), /\.ya?ml$/)
  const rules = (options.rules ?? []).map((_, i) => `${LAYOUT.extraRules}-${i + 1}`)
  for (const [i, dir] of (options.rules ?? []).entries()) await copyDir(dir, at(rules[i]), /\.ya?ml$/)
  if (options.facts) await copyDir(options.facts, at(LAYOUT.facts), /\.json$/)
  let ledger: BundleRun['ledger'] = null
  let notes: string[] = []
  if (options.db) {
    const snapshot = await stageLedger(options.db, trust)
    for (const list of snapshot.lists) await writeText(at(list.path), list.text)
    await writeJson(at(LAYOUT.ledgerEvents), snapshot.events)
    await writeJson(at(LAYOUT.ledgerHeads), snapshot.heads)
    ledger = {events: LAYOUT.ledgerEvents, signed: snapshot.lists.map((l) => l.path)}
    notes = snapshot.notes
  } else if (options.handoffs?.length) {
    const names = options.handoffs.map((f, i) => `${LAYOUT.handoffs}/${String(i + 1).padStart(3, '0')}-${basename(f)}`)
    for (const [i, f] of options.handoffs.entries()) await copyInto(f, at(names[i]))
    ledger = {handoffs: names}
  }

  // The hook for access logs: their hashes and sizes only, never their content (customers' data stays out).
  if (options.logs?.length)
    await writeJson(
      at(LAYOUT.logHashes),
      await Promise.all(options.logs.map(async (file) => ({file, ...(await hashFile(file))}))),
    )
  const run: BundleRun = {
    kind: options.facts ? 'audit' : 'validate',
    inventory: single ? `${LAYOUT.inventory}/${basename(root)}` : LAYOUT.inventory,
    facts: options.facts ? LAYOUT.facts : null,
    builtin_rules: LAYOUT.builtinRules,
    rules,
    ledger,
    fail_on: options.failOn,
    lang: options.lang,
    original: {
      inventory: root,
      facts: options.facts ?? null,
      rules: options.rules ?? [],
      db: options.db ?? null,
      handoffs: options.handoffs ?? [],
    },
  }
  return {run, notes}
}

/**
 * What a bundle keeps of a ledger database: its events, and every list another company signed that it imported,
 * rebuilt from what the database keeps (see keptHandoffs). The events snapshot is written as the signed lists back
 * it ({@link trustedLedger}), so the bundle never says more than the other side signed; what the database says
 * beyond that comes back as notes. A ledger that does not verify, or an imported list that no longer verifies with
 * its company's key, is refused: evidence is not signed over a ledger that is known to be wrong.
 */
async function stageLedger(
  path: string,
  trust: BundleLedgerTrust,
): Promise<{events: ViewEvent[]; heads: LedgerHeads; lists: CarriedList[]; notes: string[]}> {
  const db = openLedger(path, {readonly: true})
  let claims: ViewEvent[]
  let lists: CarriedList[]
  try {
    const check = verifyLedger(db)
    if (!check.ok)
      throw new InputError(
        check.problems.slice(0, 10).map((p) => ({
          code: 'E_LEDGER_TAMPERED',
          message: `ledger does not verify: ${p.chain} ${p.company}${p.seq === undefined ? '' : ` #${p.seq}`}: ${p.message}`,
          file: path,
          hint: 'run `fleet-audit ledger verify`',
        })),
      )
    claims = [...ledgerView(db).events]
    // The company id is the inventory's, but a file name takes only a safe subset of it.
    const safe = (id: string) => id.replaceAll(/[^\w.-]/g, '_')
    lists = keptHandoffs(db).map((k) => ({
      path: `${LAYOUT.ledgerSigned}/${String(k.id).padStart(4, '0')}-${k.type}-${safe(k.issuer)}-${k.first_seq}-${k.last_seq}.yaml`,
      text: k.text,
    }))
  } finally {
    db.close()
  }

  const trusted = trustedLedger(claims, lists, trust.signer, trust.keyOf, LAYOUT.ledgerEvents)
  const broken = trusted.problems.filter((p) => p.path !== LAYOUT.ledgerEvents)
  if (broken.length > 0)
    throw new InputError(
      broken.map((p) => ({
        code: 'E_LEDGER_SIGNED',
        message: `a hand-off list the ledger imported cannot be carried: ${p.message}`,
        file: path,
        hint: 'run `fleet-audit ledger verify`, or make the bundle from the signed hand-off files with --ledger',
      })),
    )
  return {
    events: [...trusted.view.events],
    heads: trusted.heads,
    lists,
    notes: trusted.problems.map((p) => p.message.replace(`${LAYOUT.ledgerEvents}: `, 'the ledger database: ')),
  }
}

/** Runs the audit from the staged copies and writes its reports (HTML, JSON, SARIF). */
async function writeReports(stage: string, run: BundleRun, now: Date, trust: BundleLedgerTrust): Promise<AuditResult> {
  const audit = await auditBundle(stage, run, now, trust)
  // The snapshot was written as the signed lists back it: the re-run from the staged files must agree.
  if (audit.ledgerProblems.length > 0)
    throw new Error(`internal error: the staged ledger does not back itself: ${audit.ledgerProblems[0].message}`)
  await mkdir(join(stage, 'reports'), {recursive: true})
  for (const [path, text] of Object.entries(renderBundleReports(audit, run.lang)))
    await writeFile(join(stage, ...path.split('/')), text)
  return audit.result
}

async function copyInto(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), {recursive: true})
  await copyFile(from, to)
}

/** Copies the regular files of a folder whose names match (not recursive: what the loaders read). */
async function copyDir(from: string, to: string, names: RegExp): Promise<void> {
  await mkdir(to, {recursive: true})
  let entries: string[]
  try {
    entries = (await readdir(from)).filter((n) => names.test(n)).sort()
  } catch (error) {
    throw new InputError([
      {
        code: 'E_READ',
        message: `cannot read the folder: ${(error as NodeJS.ErrnoException).code ?? error}`,
        file: from,
      },
    ])
  }

  for (const name of entries)
    if ((await stat(join(from, name))).isFile()) await copyFile(join(from, name), join(to, name))
}

/** Every file below a folder, bundle-relative with `/`, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, {recursive: true, withFileTypes: true})
  return entries
    .filter((e) => e.isFile())
    .map((e) => toPosix(relative(root, join(e.parentPath, e.name))))
    .sort()
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeText(file, `${JSON.stringify(value, null, 2)}\n`)
}

async function writeText(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), {recursive: true})
  await writeFile(file, text)
}

async function readInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError([
      {code: 'E_READ', message: `cannot read the ${what}: ${(error as NodeJS.ErrnoException).code ?? error}`, file},
    ])
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

function toPosix(p: string): string {
  return p.split(sep).join('/')
}
