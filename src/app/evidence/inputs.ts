import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {isAbsolute, relative} from 'node:path'

import type {AuditInputs} from '../inputs.js'
import {InputError} from '../../model/errors.js'
import type {LedgerView} from '../../ledger/view.js'
import type {InputFile, ReportEvent, RunInputs} from '../../report/html-model.js'

/** SHA-256 (hex) and size of a file, streamed so a large log file costs no memory. */
export async function hashFile(file: string): Promise<{sha256: string; size: number}> {
  const hash = createHash('sha256')
  let size = 0
  try {
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer)
      size += (chunk as Buffer).length
    }
  } catch (error) {
    throw new InputError([
      {code: 'E_READ', message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}`, file},
    ])
  }

  return {sha256: hash.digest('hex'), size}
}

async function hashAll(files: readonly string[], asGiven = false): Promise<InputFile[]> {
  return Promise.all(
    files.map(async (file) => ({file: asGiven ? file : shown(file), sha256: (await hashFile(file)).sha256})),
  )
}

/** The rule pack files the loaded rules came from, in load order. */
export function ruleFiles(inputs: Pick<AuditInputs, 'rules'>): string[] {
  return [...new Set(inputs.rules.map((r) => r.source.file))]
}

/** A path as a reader would type it: relative to the working folder when inside it. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file)
  return isAbsolute(file) && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file
}

/**
 * What a run read, with hashes: inventory files, rule packs, the facts folder, the ledger's chain heads and the
 * hashes (only) of log files. Shown in the HTML summary and recorded in evidence bundles.
 */
export async function describeInputs(
  inputs: Pick<AuditInputs, 'inventory' | 'rules' | 'facts'>,
  ledger?: LedgerView,
  logs: readonly string[] = [],
  pathsAsGiven = false,
): Promise<RunInputs> {
  const [inventory, rules, logHashes] = await Promise.all([
    hashAll(inputs.inventory.files, pathsAsGiven),
    hashAll(ruleFiles(inputs), pathsAsGiven),
    hashAll(logs, pathsAsGiven),
  ])
  return {
    inventory,
    rules,
    facts: inputs.facts && {
      dir: inputs.facts.dir,
      documents: inputs.facts.facts.size,
      invalid: inputs.facts.problems.size,
    },
    ledger: ledger && {
      source: ledger.source,
      chains: ledger.chains.map(({issuer, last_seq, last_hash}) => ({issuer, last_seq, last_hash})),
    },
    logs: logs.length > 0 ? logHashes : undefined,
  }
}

/** Ledger events as the report shows them. */
export function reportEvents(view: LedgerView): ReportEvent[] {
  return view.events.map((e) => ({
    issuer: e.issuer,
    seq: e.seq,
    kind: e.kind,
    terminal: e.terminal,
    site: e.site,
    zone: e.zone,
    role: e.role,
    actor: e.actor,
    approver: e.approver,
    occurred_at: e.occurred_at,
    note: e.note,
    handed_off: e.handed_off,
    ack: e.ack && {acker: e.ack.acker, state: e.ack.state, checked_at: e.ack.checked_at},
  }))
}
