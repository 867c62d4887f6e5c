import {readdir} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {InputError, type Problem} from '../model/errors.js'
import type {Facts, FactSet} from '../model/types.js'
import {jsonStructureProblem} from '../io/json.js'
import {decodeStrict, readRegularFileSync} from '../io/read.js'
import {pretty, schemaValidator} from '../io/schema.js'
import {splitPointer} from '../io/yaml.js'

/** Facts are small; a document larger than this was not written by our collector. */
const MAX_FACTS_FILE = 2 * 1024 * 1024
/** Our documents nest 3 levels (`client.macs[0]`); `meta` is free-form but has no business going deeper than this. */
const MAX_FACTS_DEPTH = 32
const YIELD_EVERY = 500

/**
 * Reads every `<terminal id>.json` in a folder. An unreadable folder is an input error (exit 2);
 * a bad file only makes its terminal unverified, so one broken document never hides the others.
 */
export async function loadFacts(dir: string): Promise<FactSet> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  } catch (error) {
    throw new InputError([
      {
        code: 'E_FACTS_DIR',
        message: `cannot read the facts folder: ${(error as NodeJS.ErrnoException).code ?? error}`,
        file: dir,
      },
    ])
  }

  const set: FactSet = {dir, facts: new Map(), problems: new Map()}
  const unusable: Problem[] = []
  for (let i = 0; i < names.length; i++) {
    const r = readFactsFile(join(dir, names[i]))
    if ('input' in r) unusable.push(r.input)
    else if ('problem' in r) set.problems.set(r.terminal, {terminal: r.terminal, file: r.file, message: r.problem})
    else set.facts.set(r.terminal, {...r.facts, file: r.file})
    // Let the event loop breathe now and then (progress, signals) without paying a promise per file.
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve))
  }

  // A FIFO, device or socket where a facts file should be is not one terminal's bad luck: the folder is unusable.
  if (unusable.length > 0) throw new InputError(unusable)
  return set
}

type ParseResult = {terminal: string; file: string; facts: Facts} | {terminal: string; file: string; problem: string}
type FileResult = ParseResult | {terminal: string; file: string; input: Problem}

/**
 * Parses and validates one facts document; never throws. A document that cannot be used makes its terminal
 * unverified (`problem`); something that is not a regular file at all (a FIFO, a device) is unusable input (`input`).
 */
function readFactsFile(file: string): FileResult {
  const terminal = basename(file, '.json')
  const bad = (problem: string): FileResult => ({terminal, file, problem})
  // One open, one fstat, one bounded read (shared with every other reader): a facts folder holds 10,000 small files.
  const read = readRegularFileSync(file, MAX_FACTS_FILE)
  if (!read.ok)
    return read.problem.code === 'E_NOT_FILE' ? {terminal, file, input: read.problem} : bad(read.problem.message)
  const decoded = decodeStrict(file, read.bytes)
  if (!decoded.ok) return bad(decoded.problem.message)
  return parseFacts(terminal, file, decoded.text)
}

/** Validates facts text against `schemas/facts.schema.json` and the file's name. */
export function parseFacts(terminal: string, file: string, text: string): ParseResult {
  // JSON.parse keeps the last of two equal keys and recurses into any depth: both are refused first.
  const structure = jsonStructureProblem(text, MAX_FACTS_DEPTH)
  if (structure) return {terminal, file, problem: `invalid JSON: ${structure}`}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return {terminal, file, problem: `invalid JSON: ${(error as Error).message}`}
  }

  const validate = schemaValidator('facts.schema.json')
  if (!validate(value)) {
    const errs = validate.errors!
    const e =
      errs.find((x) => x.keyword !== 'if' && !/^#\/(then|else)\//.test(x.schemaPath)) ??
      errs.find((x) => x.keyword !== 'if') ??
      errs[0]
    const path = pretty(splitPointer(e.instancePath)) || '(top level)'
    return {terminal, file, problem: `does not match the facts schema: ${path} ${e.message}`}
  }

  const facts = value as Facts
  if (facts.terminal !== terminal) {
    return {terminal, file, problem: `names terminal "${facts.terminal}" but the file is ${terminal}.json`}
  }

  return {terminal, file, facts}
}

/**
 * A FactSet from documents collected in this process (`audit --live`). Each document goes through the same
 * schema check as a file would, so a collector bug becomes an unverified terminal, never a pass.
 */
export function factSetFrom(documents: Facts[], label: string): FactSet {
  const set: FactSet = {dir: label, facts: new Map(), problems: new Map()}
  for (const doc of documents) {
    const file = `${label}/${doc.terminal}.json`
    const r = parseFacts(doc.terminal, file, JSON.stringify(doc))
    if ('problem' in r) set.problems.set(r.terminal, {terminal: r.terminal, file, message: r.problem})
    else set.facts.set(r.terminal, {...r.facts, file})
  }

  return set
}
