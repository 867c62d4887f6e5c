import {type AuditResult, type FailOn} from '../../model/result.js'
import {copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, dirname, join, relative, sep} from 'node:path'

import {InputError} from '../../model/errors.js'

import {inventoryFiles} from '../../inventory/files.js'
import {loadDeclared} from '../declared.js'
import {keyFingerprint, readPrivateKey, readPublicKey, signText} from '../../ledger/keys.js'
import {openLedger} from '../../ledger/store.js'
import {ledgerView} from '../../ledger/view.js'
import {verifyLedger} from '../../ledger/verify.js'
import {reporters} from '../../report/index.js'
import {BUILTIN_RULES_DIR} from '../../rules/load.js'
import {VERSION} from '../../io/paths.js'
import {auditBundle} from './bundle-audit.js'
import {hashFile} from './inputs.js'
import {type BundleRun, EVIDENCE_FORMAT, LAYOUT, type Manifest} from './layout.js'

/** What goes into an evidence bundle, and who signs it. */
export interface CreateBundleOptions {
  inventory: string
  facts?: string
  rules?: string[]
  /** A ledger database, read-only: its events are kept as a snapshot, its chain heads recorded. */
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
  files: number
  result: AuditResult
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
  if (await exists(options.output)) throw new InputError([{code: 'E_EXISTS', message: 'already exists; refusing to overwrite evidence', file: options.output}])
  const key = readPrivateKey(await readInput(options.keyFile, 'private key'))
  const fingerprint = keyFingerprint(key)
  const inventory = await loadDeclared(options.inventory)
  const signer = inventory.companies.find((c) => c.public_key && keyFingerprint(readPublicKey(c.public_key)) === fingerprint)
  if (!signer)
    throw new InputError([
      {code: 'E_SIGNER', message: `the key ${fingerprint} is not the public_key of any company in the inventory`, file: options.keyFile, hint: 'put the .pub from `ledger keygen` on the company that signs'},
    ])

  const stage = archive ? await mkdtemp(join(tmpdir(), 'fleet-audit-evidence-')) : join(dirname(options.output), `.${basename(options.output)}.${process.pid}.partial`)
  try {
    await mkdir(stage, {recursive: true})
    const run = await stageInputs(stage, options)
    const result = await writeReports(stage, run, now, options.logs ?? [])
    const files = await listFiles(stage)
    const manifest: Manifest = {
      format: EVIDENCE_FORMAT,
      tool: {name: 'fleet-audit', version: VERSION},
      now: now.toISOString(),
      signer: {company: signer.id, key: fingerprint},
      run,
      summary: result.summary,
      files: await Promise.all(files.map(async (path) => ({path, ...(await hashFile(join(stage, ...path.split('/'))))}))),
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
    return {output: options.output, archive, signer: manifest.signer, files: files.length + 2, result}
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError([{code: 'E_EVIDENCE', message: `cannot write the bundle: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, file: options.output}])
  } finally {
    if (archive || (await exists(stage))) await rm(stage, {recursive: true, force: true})
  }
}

/** Copies every input into the bundle's layout and says where each went. */
async function stageInputs(stage: string, options: CreateBundleOptions): Promise<BundleRun> {
  const at = (p: string) => join(stage, ...p.split('/'))
  const root = options.inventory
  const invFiles = await inventoryFiles(root)
  const single = (await stat(root)).isFile()
  for (const file of invFiles) await copyInto(file, at(single ? `${LAYOUT.inventory}/${basename(file)}` : `${LAYOUT.inventory}/${toPosix(relative(root, file))}`))
  await copyDir(BUILTIN_RULES_DIR, at(LAYOUT.builtinRules), /\.ya?ml$/)
  const rules = (options.rules ?? []).map((_, i) => `${LAYOUT.extraRules}-${i + 1}`)
  for (const [i, dir] of (options.rules ?? []).entries()) await copyDir(dir, at(rules[i]), /\.ya?ml$/)
  if (options.facts) await copyDir(options.facts, at(LAYOUT.facts), /\.json$/)
  let ledger: BundleRun['ledger'] = null
  if (options.db) {
    const db = openLedger(options.db, {readonly: true})
    try {
      const view = ledgerView(db)
      const check = verifyLedger(db)
      await writeJson(at(LAYOUT.ledgerEvents), view.events)
      await writeJson(at(LAYOUT.ledgerHeads), {chains: view.chains, verify: {ok: check.ok, problems: check.problems.length}})
    } finally {
      db.close()
    }

    ledger = {events: LAYOUT.ledgerEvents}
  } else if (options.handoffs?.length) {
    const names = options.handoffs.map((f, i) => `${LAYOUT.handoffs}/${String(i + 1).padStart(3, '0')}-${basename(f)}`)
    for (const [i, f] of options.handoffs.entries()) await copyInto(f, at(names[i]))
    ledger = {handoffs: names}
  }

  // The hook for access logs: their hashes and sizes only, never their content (customers' data stays out).
  if (options.logs?.length) await writeJson(at(LAYOUT.logHashes), await Promise.all(options.logs.map(async (file) => ({file, ...(await hashFile(file))}))))
  return {
    kind: options.facts ? 'audit' : 'validate',
    inventory: single ? `${LAYOUT.inventory}/${basename(root)}` : LAYOUT.inventory,
    facts: options.facts ? LAYOUT.facts : null,
    builtin_rules: LAYOUT.builtinRules,
    rules,
    ledger,
    fail_on: options.failOn,
    lang: options.lang,
    original: {inventory: root, facts: options.facts ?? null, rules: options.rules ?? [], db: options.db ?? null, handoffs: options.handoffs ?? []},
  }
}

/** Runs the audit from the staged copies and writes its reports (HTML, JSON, SARIF). */
async function writeReports(stage: string, run: BundleRun, now: Date, logs: readonly string[]): Promise<AuditResult> {
  const {result, details} = await auditBundle(stage, run, now, logs)
  const render = {lang: run.lang, color: false, cwd: stage, details}
  await mkdir(join(stage, 'reports'), {recursive: true})
  await writeFile(join(stage, ...LAYOUT.reports.html.split('/')), reporters.html.render(result, render))
  await writeFile(join(stage, ...LAYOUT.reports.json.split('/')), reporters.json.render(result, render))
  await writeFile(join(stage, ...LAYOUT.reports.sarif.split('/')), reporters.sarif.render(result, render))
  return result
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
    throw new InputError([{code: 'E_READ', message: `cannot read the folder: ${(error as NodeJS.ErrnoException).code ?? error}`, file: from}])
  }

  for (const name of entries) if ((await stat(join(from, name))).isFile()) await copyFile(join(from, name), join(to, name))
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
  await mkdir(dirname(file), {recursive: true})
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`)
}

async function readInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError([{code: 'E_READ', message: `cannot read the ${what}: ${(error as NodeJS.ErrnoException).code ?? error}`, file}])
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
