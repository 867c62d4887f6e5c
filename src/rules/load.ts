import {type Needs} from '../model/result.js'
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {readdir} from 'node:fs/promises'
import {basename, join} from 'node:path'

import type {Environment} from '@marcbachmann/cel-js'

import {isScalar, type Scalar} from 'yaml'

import {formatPosition, type Problem, ProblemList, RulePackError} from '../model/errors.js'
import type {Localized, Severity, SourcePosition} from '../model/types.js'
import {schemaProblems, schemaValidator} from '../io/schema.js'
import {positionAt, readYamlFile, type YamlSource} from '../io/yaml.js'
import {celEnvironment} from './cel.js'
import {evaluators} from './evaluators/index.js'
import type {Compiled, Rule} from './types.js'

import {BUILTIN_RULES_DIR} from './dir.js'
import {PACKAGE_ROOT} from '../io/paths.js'
import {readRegularFileSync} from '../io/read.js'

interface RawRule {
  id: string
  severity: Severity
  needs: Needs
  barrier?: boolean
  verification?: boolean
  title: Localized
  rationale: Localized
  remediation: Localized
  message?: Localized
  when?: string
  expected?: string
  actual?: string
  evaluator?: string
  sql?: string
  params?: Record<string, number | string>
  ledger?: boolean
}

/**
 * Loads the built-in packs plus any extra folders, validates them, and compiles every CEL expression once.
 * Every problem in every pack is thrown at once as a RulePackError (exit 2).
 *
 * The built-in packs were already read and checked at build time (`scripts/rule-cache.mjs` →
 * `dist/rules-cache.json`): when the first folder's YAML files are byte for byte those the cache was made from, their
 * rules come from it and only their CEL is compiled here, which spares every command parsing eight YAML files.
 */
export async function loadRules(extraDirs: readonly string[] = [], builtinDir = BUILTIN_RULES_DIR): Promise<Rule[]> {
  return loadPacks(extraDirs, builtinDir, readRuleCache())
}

/** The built-in packs as the build writes them into the cache: read, checked, positions relative to the folder. */
export interface RuleCache {
  format: typeof CACHE_FORMAT
  /** Every rule file of the folder (`name` → SHA-256 of its bytes). */
  files: Record<string, string>
  /** The rules without their compiled CEL; `source.file` is the file's name within the folder. */
  rules: Omit<Rule, 'compiled'>[]
}

const CACHE_FORMAT = 1
/** Where the build puts the cache (the package's `dist/`, beside the compiled code). */
export const RULE_CACHE_FILE = join(PACKAGE_ROOT, 'dist', 'rules-cache.json')

/** Reads `folder` the slow way (no cache) and returns what the build stores; throws RulePackError as loadRules does. */
export async function buildRuleCache(folder = BUILTIN_RULES_DIR): Promise<RuleCache> {
  const rules = await loadPacks([], folder, undefined)
  const names = await ruleFileNames(folder)
  return {
    format: CACHE_FORMAT,
    files: Object.fromEntries(names.map((n) => [n, sha256(readFileSync(join(folder, n)))])),
    rules: rules.map(({compiled: _compiled, ...rule}) => ({
      ...rule,
      source: {...rule.source, file: basename(rule.source.file)},
    })),
  }
}

function readRuleCache(): RuleCache | undefined {
  try {
    const cache = JSON.parse(readFileSync(RULE_CACHE_FILE, 'utf8')) as RuleCache
    return cache.format === CACHE_FORMAT ? cache : undefined
  } catch {
    return undefined
  }
}

async function ruleFileNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort()
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * The cached rules of `dir`, or undefined when its rule files are not exactly those the cache was made from (or
 * anything about them does not hold any more): then the folder is read like any other.
 */
function cachedRules(cache: RuleCache, dir: string, names: string[], env: Environment): Rule[] | undefined {
  if (Object.keys(cache.files).length !== names.length) return undefined
  for (const n of names) {
    // The bounded reader: the folder may be a bundle's or a user's (a FIFO or device named *.yaml must not hang
    // here); anything it refuses is left to the slow path, which reports it.
    const read = readRegularFileSync(join(dir, n))
    if (!read.ok || cache.files[n] === undefined || sha256(read.bytes) !== cache.files[n]) return undefined
  }

  try {
    return cache.rules.map((cached) => {
      if (cached.evaluator && !(cached.evaluator in evaluators)) throw new Error('unknown evaluator')
      const rule: Rule = {...cached, source: {...cached.source, file: join(dir, cached.source.file)}}
      if (rule.when) {
        const compile = (text: string | undefined) => (text === undefined ? undefined : compileExpression(env, text))
        rule.compiled = {
          when: compileExpression(env, rule.when, 'when'),
          expected: compile(rule.expected),
          actual: compile(rule.actual),
        }
      }

      return rule
    })
  } catch {
    return undefined
  }
}

/**
 * Parses and type-checks one CEL expression; throws (with cel-js's `node.pos`) when it does not compile, or when a
 * `when` condition is not a bool.
 */
function compileExpression(env: Environment, text: string, field?: 'when' | 'expected' | 'actual'): Compiled {
  const expr = env.parse(text)
  const checked = expr.check()
  if (!checked.valid) throw checked.error
  // A condition that is not a boolean would never fire: refuse it rather than let it pass silently.
  if (field === 'when' && checked.type !== 'bool' && checked.type !== 'dyn') {
    throw new Error(`a condition must be a bool, this one is ${String(checked.type)}`)
  }

  return expr as unknown as Compiled
}

/** loadRules with the given cache of the first folder (none: every folder is read from its YAML). */
export async function loadPacks(
  extraDirs: readonly string[],
  builtinDir: string,
  cache: RuleCache | undefined,
): Promise<Rule[]> {
  const problems = new ProblemList()
  const files: string[] = []
  const env = celEnvironment()
  const rules: Rule[] = []
  const seen = new Map<string, SourcePosition>()
  for (const [i, dir] of [builtinDir, ...extraDirs].entries()) {
    let names: string[]
    try {
      names = await ruleFileNames(dir)
    } catch (error) {
      problems.add({
        code: 'E_RULES_DIR',
        message: `cannot read the rules folder: ${(error as NodeJS.ErrnoException).code ?? error}`,
        file: dir,
      })
      continue
    }

    const fromCache = i === 0 && cache ? cachedRules(cache, dir, names, env) : undefined
    if (fromCache) {
      for (const rule of fromCache) seen.set(rule.id, rule.source)
      rules.push(...fromCache)
    } else files.push(...names.map((n) => join(dir, n)))
  }

  const validate = schemaValidator('rules.schema.json')
  for (const file of files) {
    const result = await readYamlFile(file)
    if (!result.ok) {
      for (const p of result.problems) problems.add(p)
      continue
    }

    const src = result.source
    if (!validate(src.value)) {
      for (const p of schemaProblems(src, validate.errors)) problems.add(p)
      continue
    }

    const pack = src.value as {pack: string; rules: RawRule[]}
    pack.rules.forEach((raw, i) => {
      const source = positionAt(src, ['rules', i])
      const first = seen.get(raw.id)
      if (first)
        problems.at(source, 'E_DUPLICATE', `duplicate rule id "${raw.id}" (first declared at ${formatPosition(first)})`)
      seen.set(raw.id, source)
      if (!raw.id.startsWith(`${pack.pack}/`))
        problems.at(source, 'E_SCHEMA', `rule id "${raw.id}" must start with its pack name "${pack.pack}/"`)
      if (raw.evaluator && !(raw.evaluator in evaluators)) {
        problems.at(
          positionAt(src, ['rules', i, 'evaluator']),
          'E_REF',
          `unknown evaluator "${raw.evaluator}" (known: ${Object.keys(evaluators).join(', ')})`,
        )
      }

      if ((raw.sql === undefined) !== (raw.needs !== 'logs'))
        problems.at(
          source,
          'E_SCHEMA',
          raw.sql
            ? `rule "${raw.id}" has an sql query: it must say needs: logs`
            : `rule "${raw.id}" needs logs: it must have an sql query`,
        )
      const rule: Rule = {...raw, pack: pack.pack, barrier: raw.barrier ?? false, source}
      if (raw.when) {
        const compile = (field: 'when' | 'expected' | 'actual'): Compiled | undefined => {
          const text = raw[field]
          if (text === undefined) return undefined
          try {
            return compileExpression(env, text, field)
          } catch (error) {
            problems.add(celProblem(src, ['rules', i, field], text, error as Error & {node?: {pos?: number}}))
            return undefined
          }
        }

        const when = compile('when')
        const expected = compile('expected')
        const actual = compile('actual')
        if (when) rule.compiled = {when, expected, actual}
      }

      rules.push(rule)
    })
  }

  problems.throwIfAny(RulePackError)
  // Code-unit order, not localeCompare: the order (and so SARIF rule indexes and the HTML) must not follow LANG.
  return rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Places a CEL error at its line and column in the rule file, inside the YAML scalar that holds the expression. */
function celProblem(
  src: YamlSource,
  path: (string | number)[],
  text: string,
  error: Error & {node?: {pos?: number}},
): Problem {
  const base = positionAt(src, path)
  const offset = error.node?.pos ?? 0
  const before = text.slice(0, offset).split('\n')
  const exprLine = before.length - 1
  const exprCol = before.at(-1)!.length
  const node = src.doc.getIn(path, true) as Scalar | undefined
  let line = base.line + exprLine
  let column = exprLine === 0 ? base.column + exprCol : exprCol + 1
  if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
    // Block scalars start on the line after the `|` indicator, at the block's indentation.
    const lines = src.text.split('\n')
    let rest = offset
    for (let i = base.line; ; i++) {
      const raw = (lines[i] ?? '').replace(/\r$/, '')
      const indent = raw.length - raw.trimStart().length
      const content = raw.slice(indent)
      if (rest <= content.length || i >= lines.length - 1) {
        line = i + 1
        column = indent + rest + 1
        break
      }

      rest -= content.length + 1 // the line break became one character: '\n' (literal) or ' ' (folded)
    }
  } else if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && exprLine === 0) {
    column += 1
  }

  const reason = error.message.split('\n')[0]
  return {
    code: 'E_CEL',
    message: `${path
      .slice(0, 2)
      .join('[')
      .replace(/\[(\d+)$/, '[$1]')}.${path[2]}: ${reason}`,
    file: src.file,
    line,
    column,
  }
}
