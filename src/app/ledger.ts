import {mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'
import {existsSync, rmSync} from 'node:fs'

import {evaluateAudit} from './audit.js'
import {type AuditOptions, loadInputs} from './inputs.js'
import {forTerminal} from './result.js'
import {ledgerReadContext, withLedger} from './ledger-read.js'
import {InputError} from '../model/errors.js'
import {MAX_HANDOFF_FILE_SIZE, MAX_SETTINGS_FILE_SIZE, readTextFile} from '../io/read.js'
import {writeFileAtomic} from '../io/write.js'
import {normalizeMac} from '../io/mac.js'
import {loadDeclared} from './declared.js'
import {
  type AckState,
  claimOwner,
  type EventInput,
  type ExportResult,
  generateKeyPair,
  importAcks,
  importHandoff,
  importStreaming,
  type ImportResult,
  type LedgerEvent,
  ledgerOwner,
  listEvents,
  parseHandoff,
  prepareExport,
  RECHECK_KINDS,
  recordAck,
  recordEvent,
  verifyLedger,
  type VerifyResult,
} from '../ledger/index.js'
import type {FactSet, Finding, Inventory} from '../model/types.js'
import type {Rule} from '../rules/types.js'

/**
 * `ledger verify`: opens the database read-only and checks everything in it. The signed chain heads kept from the
 * other company are checked against that company's declared public_key, so a database holding any needs the
 * inventory: without it, verify is exit 2, never "intact".
 */
export async function verifyLedgerFile(
  db: string,
  inventoryPath: string | undefined,
): Promise<VerifyResult & {db: string}> {
  const {inventory} = await ledgerReadContext(inventoryPath)
  return withLedger(
    db,
    (d) => {
      const result = verifyLedger(d, {companies: inventory?.companies})
      if (!inventory && (result.heads > 0 || result.chains.some((c) => c.imported)))
        throw new InputError([
          {
            code: 'E_NEED_INVENTORY',
            message: `this ledger holds ${result.heads} signed chain heads and records of another company: verify needs the inventory (-i) to check them against the companies' public keys and sides`,
            file: db,
          },
        ])
      return {...result, db}
    },
    {readonly: true},
  )
}

/** Writes a new Ed25519 key pair: `<base>.key` (private, mode 0600) and `<base>.pub`. Never returns the private key. */
export async function writeKeyPair(
  base: string,
): Promise<{privateKeyFile: string; publicKeyFile: string; publicKeyPem: string; fingerprint: string}> {
  const privateKeyFile = `${base}.key`
  const publicKeyFile = `${base}.pub`
  const existing = [privateKeyFile, publicKeyFile].filter((f) => existsSync(f))
  if (existing.length > 0)
    throw new InputError(
      existing.map((file) => ({code: 'E_EXISTS', message: 'already exists; refusing to overwrite a key', file})),
    )
  const pair = generateKeyPair()
  await mkdir(dirname(privateKeyFile), {recursive: true})
  await writeFileAtomic(privateKeyFile, pair.privateKeyPem, {mode: 0o600, exclusive: true, what: 'the private key'})
  await writeFileAtomic(publicKeyFile, pair.publicKeyPem, {exclusive: true, what: 'the public key'})
  return {privateKeyFile, publicKeyFile, publicKeyPem: pair.publicKeyPem, fingerprint: pair.fingerprint}
}

/** Records one event after checking it against the inventory. */
export async function recordLedgerEvent(
  db: string,
  inventoryPath: string,
  input: EventInput,
  now: Date,
): Promise<LedgerEvent> {
  const inventory = await loadDeclared(inventoryPath)
  return withLedger(db, (d) => {
    if (inventory.companies.some((c) => c.id === input.issuer))
      claimOwner(d, input.issuer, now, `recording an event of ${input.issuer}`)
    return recordEvent(d, inventory, {...input, macs: input.macs?.map((m) => normalizeMac(m))}, now)
  })
}

/** What `ledger export` did: a list written, or nothing new to send. */
export type LedgerExportOutcome = Omit<ExportResult, 'text' | 'bytes'> & {written: boolean}

/**
 * Signs the events (or, with `acks`, the acknowledgements) of `from` for `to`. The hand-off crosses the barrier:
 * both must be companies of the inventory and on different sides, or the list would count as handed over to nobody
 * who re-checks it. The key must be `from`'s: its public half must be the `public_key` the inventory declares. The
 * list is recorded as sent only after `deliver` has written it; with nothing new since the last export (and no
 * `since`), nothing is written.
 */
export async function exportLedger(
  db: string,
  options: {
    inventory: string
    from: string
    to: string
    since?: number
    keyFile: string
    acks?: boolean
    now: Date
    deliver: (bytes: Uint8Array) => Promise<void>
  },
): Promise<LedgerExportOutcome> {
  const [inventory, privateKeyPem] = await Promise.all([loadDeclared(options.inventory), readKey(options.keyFile)])
  const company = (id: string) => inventory.companies.find((c) => c.id === id)
  const side = (id: string) => company(id)?.side
  const problems = [
    ...(side(options.from) ? [] : [{code: 'E_REF', message: `--from: unknown company "${options.from}"`}]),
    ...(side(options.to) ? [] : [{code: 'E_REF', message: `--to: unknown company "${options.to}"`}]),
  ]
  if (problems.length === 0 && side(options.from) === side(options.to)) {
    problems.push({
      code: 'E_BARRIER',
      message: `--to: ${options.to} is on the same side (${side(options.to)}) as ${options.from}; a hand-off goes to the other company`,
    })
  }
  const publicKeyPem = company(options.from)?.public_key
  if (problems.length === 0 && !publicKeyPem)
    problems.push({
      code: 'E_HANDOFF_KEY',
      message: `${options.from} has no public_key in the inventory: ${options.to} could not check the signature`,
      hint: 'add the public key printed by `fleet-audit ledger keygen`',
    } as never)

  if (problems.length > 0) throw new InputError(problems)
  return withLedger(
    db,
    async (d) => {
      claimOwner(d, options.from, options.now, `exporting as ${options.from}`)
      const args = {
        from: options.from,
        to: options.to,
        since: options.since,
        privateKeyPem,
        publicKeyPem: publicKeyPem!,
        now: options.now,
      }
      const prepared = prepareExport(d, options.acks ? 'acks' : 'events', args)
      const {bytes, ...summary} = prepared.result
      if (summary.count === 0 && options.since === undefined) return {...summary, written: false}
      await options.deliver(bytes)
      prepared.commit()
      return {...summary, written: true}
    },
    {mustExist: true},
  )
}

/**
 * Imports signed hand-off files (events or acks), checking each signature against the sender's key in the
 * inventory, all in one transaction: one refused file imports nothing. Without `as`, each list must be addressed to
 * this database's owner (recorded at its first use); with `as`, the database must be `as`'s (or new).
 */
export async function importLedger(
  db: string,
  inventoryPath: string,
  files: string[],
  options: {as?: string; now: Date},
): Promise<ImportResult[]> {
  const inventory = await loadDeclared(inventoryPath)
  const texts = await Promise.all(files.map(async (file) => ({file, text: await readInput(file, 'hand-off file')})))
  if (options.as !== undefined && !inventory.companies.some((c) => c.id === options.as))
    throw new InputError([{code: 'E_REF', message: `--as: unknown company "${options.as}"`}])
  // A refused import leaves nothing behind: not even the database file it would have created.
  const created = !existsSync(db)
  try {
    return await importInto(db, inventory, files, texts, options)
  } catch (error) {
    if (created) for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) rmSync(f, {force: true})
    throw error
  }
}

async function importInto(
  db: string,
  inventory: Inventory,
  files: string[],
  texts: {file: string; text: string}[],
  options: {as?: string; now: Date},
): Promise<ImportResult[]> {
  return withLedger(db, (d) =>
    d
      .transaction(() => {
        const owner =
          options.as === undefined
            ? ledgerOwner(d)?.company
            : claimOwner(d, options.as, options.now, `importing as ${options.as}`).company
        return texts.map(({file, text}) => {
          // A sound list of new events is imported as it is read (its header says whose key to check it with);
          // anything else, or anything refused, is read whole below, which names the problem as it always has.
          const streamed = importStreaming(
            d,
            text,
            (header) =>
              owner !== undefined && header.recipient === owner
                ? (inventory.companies.find((c) => c.id === header.issuer)?.public_key ?? undefined)
                : undefined,
            {now: options.now, recipient: owner, file, companies: inventory.companies},
          )
          if (streamed) return streamed
          // Parsed once: the header says whose key to check it with; the import checks this same reading.
          const parsed = parseHandoff(text, file)
          const {content} = parsed
          if (owner === undefined)
            throw new InputError([
              {
                code: 'E_IMPORT_AS',
                message: `this database has no owner yet, and the list is addressed to ${content.recipient}: say who you are with --as`,
                file,
              },
            ])
          if (content.recipient !== owner)
            throw new InputError([
              {
                code: 'E_HANDOFF_RECIPIENT',
                message: `the list is addressed to ${content.recipient}, but this ledger is ${owner}'s`,
                file,
                hint: files.length > 1 ? 'nothing was imported (all files or none)' : undefined,
              } as never,
            ])
          const sender = inventory.companies.find((c) => c.id === content.issuer)
          if (!sender?.public_key) {
            throw new InputError([
              {code: 'E_HANDOFF_KEY', message: `no public_key for sender "${content.issuer}" in the inventory`, file},
            ])
          }

          const opts = {now: options.now, recipient: owner, file, companies: inventory.companies}
          try {
            return content.type === 'acks'
              ? importAcks(d, parsed, sender.public_key, opts)
              : importHandoff(d, parsed, sender.public_key, opts)
          } catch (error) {
            if (files.length > 1 && error instanceof InputError)
              throw new InputError(
                error.problems.map((p) => ({
                  ...p,
                  hint: [p.hint, 'nothing was imported (all files or none)'].filter(Boolean).join('; '),
                })),
              )
            throw error
          }
        })
      })
      .immediate(),
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
  /** With `--event`: the seq of this company's earlier ack that the new one supersedes. */
  supersedes?: number
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
  options: AuditOptions & {as: string; actor?: string; facts: FactSet | string; event?: string},
  now: Date,
): Promise<RecheckOutcome[]> {
  const only = options.event === undefined ? undefined : /^(.+)#([1-9]\d{0,14})$/.exec(options.event)
  if (options.event !== undefined && !only)
    throw new InputError([
      {code: 'E_FLAG', message: `--event: "${options.event}" is not ISSUER#SEQ (e.g. tohoku-epco#3)`},
    ])
  const inputs = await loadInputs(
    {...options, facts: typeof options.facts === 'string' ? options.facts : undefined},
    {
      facts: typeof options.facts === 'string' ? undefined : options.facts,
      check(inventory, problems) {
        if (!inventory.companies.some((c) => c.id === options.as))
          problems.add({code: 'E_REF', message: `--as: unknown company "${options.as}"`})
      },
    },
  )
  const {inventory, rules} = inputs
  const facts = inputs.facts!
  return withLedger(
    db,
    (d) => {
      claimOwner(d, options.as, now, `re-checking as ${options.as}`)
      const mine = (e: {ack: {acker: string} | null}): boolean => e.ack !== null && e.ack.acker === options.as
      const all = listEvents(d, {companies: inventory.companies})
      const pending = only
        ? all.filter((e) => e.issuer === only[1] && e.seq === Number(only[2]))
        : all.filter((e) => e.imported_at !== null && e.issuer !== options.as && !mine(e))
      if (only && pending.length === 0)
        throw new InputError([{code: 'E_REF', message: `--event: no event ${options.event} in this ledger`, file: db}])
      if (only && pending[0].imported_at === null)
        throw new InputError([
          {
            code: 'E_REF',
            message: `--event: ${options.event} was recorded here, not imported: only the other company re-checks it`,
            file: db,
          },
        ])
      const outcomes: RecheckOutcome[] = []
      for (const event of pending) {
        const doc = facts.facts.get(event.terminal)
        const base = {issuer: event.issuer, seq: event.seq, terminal: event.terminal, kind: event.kind}
        const unusable = facts.problems.get(event.terminal)
        if (!doc && unusable && RECHECK_KINDS.includes(event.kind)) {
          outcomes.push({
            ...base,
            state: 'pending',
            reason: `your facts for this terminal are unusable (${unusable.message}): collect it again`,
            findings: [],
          })
          continue
        }
        if (!doc) {
          const how = RECHECK_KINDS.includes(event.kind) ? '' : ' --include-removed'
          outcomes.push({
            ...base,
            state: 'pending',
            reason: `no facts of your own for this terminal: collect it (collect --only ${event.terminal}${how})`,
            findings: [],
          })
          continue
        }

        if (Date.parse(doc.collected_at) < Date.parse(event.occurred_at)) {
          outcomes.push({
            ...base,
            state: 'pending',
            reason: `facts collected ${doc.collected_at}, before the event (${event.occurred_at}): collect again`,
            findings: [],
          })
          continue
        }

        // Not reaching a terminal proves nothing about it: the event stays pending (and is tried again by the next
        // recheck) rather than being rejected. A different host key or invalid output did reach something, and that
        // something is wrong: those are judged.
        if (RECHECK_KINDS.includes(event.kind) && !JUDGED_OUTCOMES.has(doc.outcome)) {
          const why = doc.error?.reason ? `: ${doc.error.reason}` : ''
          outcomes.push({
            ...base,
            state: 'pending',
            reason: `could not check the terminal (${doc.outcome}${why}, collected ${doc.collected_at}): collect it again, then recheck`,
            findings: [],
          })
          continue
        }

        const findings = recheckFindings(inventory, rules, facts, event, options, now)
        const ack = recordAck(
          d,
          inventory,
          {
            acker: options.as,
            event: {issuer: event.issuer, seq: event.seq, hash: event.hash},
            findings,
            actor: options.actor,
            checked_at: doc?.collected_at,
            failOn: options.failOn === 'none' ? undefined : options.failOn,
            supersede: only !== undefined && only !== null,
          },
          now,
        )
        outcomes.push({
          ...base,
          state: ack.state,
          findings,
          ...(only && mine(event) ? {supersedes: event.ack!.seq} : {}),
        })
      }

      return outcomes
    },
    {mustExist: true},
  )
}

/** Outcomes that reached the terminal and say something about it; any other leaves an install-like event pending. */
const JUDGED_OUTCOMES = new Set(['ok', 'hostkey-changed', 'output-invalid'])

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
  return forTerminal(
    evaluateAudit(pinned, rules, facts, {...options, collected: new Set([event.terminal])}, now),
    event.terminal,
  ).findings
}

async function readKey(file: string): Promise<string> {
  return readInput(file, 'private key', MAX_SETTINGS_FILE_SIZE)
}

/** Through the shared reader: a FIFO, a device or an oversized file is refused (exit 2), never waited on. */
async function readInput(file: string, what: string, maxBytes = MAX_HANDOFF_FILE_SIZE): Promise<string> {
  const read = await readTextFile(file, {maxBytes})
  if (read.ok) return read.text
  throw new InputError([
    {...read.problem, message: `cannot read the ${what}: ${read.problem.message.replace(/^cannot read: /, '')}`},
  ])
}
