import {mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'
import {existsSync} from 'node:fs'

import {type AuditOptions, evaluateAudit, forTerminal, loadInputs} from './audit.js'
import {InputError} from './errors.js'
import {MAX_HANDOFF_FILE_SIZE, MAX_SETTINGS_FILE_SIZE, readTextFile} from './source/read.js'
import {writeFileAtomic} from './source/write.js'
import {normalizeMac} from './mac.js'
import {loadInventory} from './inventory/load.js'
import {
  type AckState,
  exportAcks,
  exportHandoff,
  type EventInput,
  type ExportResult,
  generateKeyPair,
  importAcks,
  importHandoff,
  type ImportResult,
  type LedgerDb,
  type LedgerEvent,
  listEvents,
  openLedger,
  parseHandoff,
  RECHECK_KINDS,
  recordAck,
  recordEvent,
} from './ledger/index.js'
import type {FactSet, Finding, Inventory} from './model.js'
import type {Rule} from './rules/types.js'

/** Opens the ledger, runs `fn` and always closes it: writes are synchronous transactions inside `fn`. */
export async function withLedger<T>(path: string, fn: (db: LedgerDb) => T | Promise<T>): Promise<T> {
  const db = openLedger(path)
  try {
    return await fn(db)
  } finally {
    db.close()
  }
}

/** Writes a new Ed25519 key pair: `<base>.key` (private, mode 0600) and `<base>.pub`. Never returns the private key. */
export async function writeKeyPair(base: string): Promise<{privateKeyFile: string; publicKeyFile: string; publicKeyPem: string; fingerprint: string}> {
  const privateKeyFile = `${base}.key`
  const publicKeyFile = `${base}.pub`
  const existing = [privateKeyFile, publicKeyFile].filter((f) => existsSync(f))
  if (existing.length > 0) throw new InputError(existing.map((file) => ({code: 'E_EXISTS', message: 'already exists; refusing to overwrite a key', file})))
  const pair = generateKeyPair()
  await mkdir(dirname(privateKeyFile), {recursive: true})
  await writeFileAtomic(privateKeyFile, pair.privateKeyPem, {mode: 0o600, exclusive: true, what: 'the private key'})
  await writeFileAtomic(publicKeyFile, pair.publicKeyPem, {exclusive: true, what: 'the public key'})
  return {privateKeyFile, publicKeyFile, publicKeyPem: pair.publicKeyPem, fingerprint: pair.fingerprint}
}

/** Records one event after checking it against the inventory. */
export async function recordLedgerEvent(db: string, inventoryPath: string, input: EventInput, now: Date): Promise<LedgerEvent> {
  const inventory = await loadInventory(inventoryPath)
  return withLedger(db, (d) => recordEvent(d, inventory, {...input, macs: input.macs?.map((m) => normalizeMac(m))}, now))
}

/**
 * Signs the events (or, with `acks`, the acknowledgements) of `from` for `to`. The hand-off crosses the barrier:
 * both must be companies of the inventory and on different sides, or the list would count as handed over to nobody
 * who re-checks it.
 */
export async function exportLedger(
  db: string,
  options: {inventory: string; from: string; to: string; since?: number; keyFile: string; acks?: boolean; now: Date},
): Promise<ExportResult> {
  const [inventory, privateKeyPem] = await Promise.all([loadInventory(options.inventory), readKey(options.keyFile)])
  const side = (id: string) => inventory.companies.find((c) => c.id === id)?.side
  const problems = [
    ...(side(options.from) ? [] : [{code: 'E_REF', message: `--from: unknown company "${options.from}"`}]),
    ...(side(options.to) ? [] : [{code: 'E_REF', message: `--to: unknown company "${options.to}"`}]),
  ]
  if (problems.length === 0 && side(options.from) === side(options.to)) {
    problems.push({code: 'E_REF', message: `--to: ${options.to} is on the same side (${side(options.to)}) as ${options.from}; a hand-off goes to the other company`})
  }

  if (problems.length > 0) throw new InputError(problems)
  return withLedger(db, (d) => {
    const args = {from: options.from, to: options.to, since: options.since, privateKeyPem, now: options.now}
    return options.acks ? exportAcks(d, args) : exportHandoff(d, args)
  })
}

/** Imports signed hand-off files (events or acks), checking each signature against the sender's key in the inventory. */
export async function importLedger(db: string, inventoryPath: string, files: string[], options: {as?: string; now: Date}): Promise<ImportResult[]> {
  const inventory = await loadInventory(inventoryPath)
  const texts = await Promise.all(files.map(async (file) => ({file, text: await readInput(file, 'hand-off file')})))
  return withLedger(db, (d) =>
    texts.map(({file, text}) => {
      const {content} = parseHandoff(text, file)
      const sender = inventory.companies.find((c) => c.id === content.issuer)
      if (!sender?.public_key) {
        throw new InputError([{code: 'E_HANDOFF_KEY', message: `no public_key for sender "${content.issuer}" in the inventory`, file}])
      }

      const opts = {now: options.now, recipient: options.as, file}
      return content.type === 'acks' ? importAcks(d, text, sender.public_key, opts) : importHandoff(d, text, sender.public_key, opts)
    }),
  )
}

/** One event's re-check. */
export interface RecheckOutcome {
  issuer: string
  seq: number
  terminal: string
  kind: string
  state: AckState | 'pending'
  reason?: string
  findings: Finding[]
}

/**
 * The receiving company's re-check: every imported event not yet acknowledged by `as` is audited with facts `as`
 * collected itself after the event, with the identity recorded in the event pinned (host key, serial, MACs). An
 * install, move, reconfigure or replace must show the terminal as recorded; a removal must show it no longer
 * answers (so a removal on paper cannot hide a terminal still in place). No facts, or facts older than the event,
 * leave it pending; otherwise an acknowledgement (verified, or rejected with the findings as evidence) is recorded.
 */
export async function recheckLedger(
  db: string,
  options: AuditOptions & {as: string; actor?: string; facts: FactSet | string},
  now: Date,
): Promise<RecheckOutcome[]> {
  const inputs = await loadInputs(
    {...options, facts: typeof options.facts === 'string' ? options.facts : undefined},
    {
      facts: typeof options.facts === 'string' ? undefined : options.facts,
      check(inventory, problems) {
        if (!inventory.companies.some((c) => c.id === options.as)) problems.add({code: 'E_REF', message: `--as: unknown company "${options.as}"`})
      },
    },
  )
  const {inventory, rules} = inputs
  const facts = inputs.facts!
  return withLedger(db, (d) => {
    const pending = listEvents(d).filter(
      (e) => e.imported_at !== null && e.issuer !== options.as && (!e.ack || e.ack.acker !== options.as),
    )
    const outcomes: RecheckOutcome[] = []
    for (const event of pending) {
      const doc = facts.facts.get(event.terminal)
      const base = {issuer: event.issuer, seq: event.seq, terminal: event.terminal, kind: event.kind}
      if (!doc) {
        const how = RECHECK_KINDS.includes(event.kind) ? '' : ' --include-removed'
        outcomes.push({...base, state: 'pending', reason: `no facts of your own for this terminal: collect it (collect --only ${event.terminal}${how})`, findings: []})
        continue
      }

      if (Date.parse(doc.collected_at) < Date.parse(event.occurred_at)) {
        outcomes.push({...base, state: 'pending', reason: `facts collected ${doc.collected_at}, before the event (${event.occurred_at}): collect again`, findings: []})
        continue
      }

      const findings = recheckFindings(inventory, rules, facts, event, options, now)
      const ack = recordAck(d, inventory, {acker: options.as, event: {issuer: event.issuer, seq: event.seq, hash: event.hash}, findings, actor: options.actor, checked_at: doc?.collected_at, failOn: options.failOn === 'none' ? undefined : options.failOn}, now)
      outcomes.push({...base, state: ack.state, findings})
    }

    return outcomes
  })
}

/** Audits one terminal as the event says it was installed: the event's identity is pinned over the declaration. */
function recheckFindings(
  inventory: Inventory,
  rules: Rule[],
  facts: FactSet,
  event: LedgerEvent,
  options: AuditOptions,
  now: Date,
): Finding[] {
  const pinned: Inventory = {
    ...inventory,
    terminals: inventory.terminals.map((t) =>
      t.id === event.terminal
        ? {
            ...t,
            // A removal is re-checked as what it claims: the terminal must no longer answer.
            status: RECHECK_KINDS.includes(event.kind) ? 'active' : 'removed',
            site: event.site,
            zone: event.zone,
            role: event.role,
            serial: event.serial ?? t.serial,
            macs: event.macs.length > 0 ? [...event.macs] : t.macs,
            ssh: {...t.ssh, host_key: event.host_key ?? t.ssh.host_key},
          }
        : t,
    ),
  }
  return forTerminal(evaluateAudit(pinned, rules, facts, {...options, collected: new Set([event.terminal])}, now), event.terminal).findings
}

async function readKey(file: string): Promise<string> {
  return readInput(file, 'private key', MAX_SETTINGS_FILE_SIZE)
}

/** Through the shared reader: a FIFO, a device or an oversized file is refused (exit 2), never waited on. */
async function readInput(file: string, what: string, maxBytes = MAX_HANDOFF_FILE_SIZE): Promise<string> {
  const read = await readTextFile(file, {maxBytes})
  if (read.ok) return read.text
  throw new InputError([{...read.problem, message: `cannot read the ${what}: ${read.problem.message.replace(/^cannot read: /, '')}`}])
}
