import {existsSync} from 'node:fs'

import {Args, Command, Flags, type Interfaces} from '@oclif/core'

import {
  type ConfigValues,
  DEFAULT_MAX_FILE_SIZE,
  defaultLedgerPath,
  EXIT,
  FAIL_ON_CHOICES,
  type FailOn,
  FleetAuditError,
  formatProblem,
  InputError,
  loadConfig,
  nearest,
  type Problem,
  sanitize,
  sanitizeLine,
  writeFileAtomic,
} from '../../src/index.js'

import {PROBLEM_JA} from './problem-ja.js'

/** At most this many problems on a terminal; `--json` carries them all. */
const MAX_PROBLEM_LINES = 50

let configPromise: Promise<ConfigValues> | undefined
/** The config file's values, read once per command run (BaseCommand.init forgets the last run's). */
export function config(): Promise<ConfigValues> {
  configPromise ??= loadConfig().then((c) => c.values)
  return configPromise
}

/** A flag default taken from the config file, else a built-in one (flag > environment > config file > default). */
export function fromConfig<T>(key: keyof ConfigValues, fallback: () => T | undefined): () => Promise<T> {
  return async () => ((await config())[key] as T | undefined) ?? (fallback() as T)
}

/** The inventory when none is given: ./inventory (folder) or ./inventory.yaml. */
export function defaultInventory(): string {
  return existsSync('inventory') || !existsSync('inventory.yaml') ? 'inventory' : 'inventory.yaml'
}

/** `--lang` default: Japanese when LC_ALL, LC_MESSAGES or LANG says so. */
export function defaultLang(env: NodeJS.ProcessEnv = process.env): 'en' | 'ja' {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  return locale.toLowerCase().startsWith('ja') ? 'ja' : 'en'
}

/**
 * The inventory as a positional argument (`fleet-audit audit inventory/ --facts facts/`), as conftest, goss and
 * markdownlint take their input; the same as --inventory.
 */
export const inventoryArg = Args.string({
  description: 'Inventory file or folder (the same as --inventory).',
  ignoreStdin: true,
})

export const sharedFlags = {
  inventory: Flags.string({
    char: 'i',
    summary: 'Inventory file or folder.',
    env: 'FLEET_AUDIT_INVENTORY',
    noCacheDefault: true,
    default: fromConfig('inventory', defaultInventory),
    helpGroup: 'INPUT',
  }),
  rules: Flags.string({
    summary: 'Extra rule pack folder (repeatable).',
    multiple: true,
    env: 'FLEET_AUDIT_RULES',
    noCacheDefault: true,
    default: fromConfig<string[]>('rules', () => undefined),
    helpGroup: 'INPUT',
  }),
  'fail-on': Flags.option({
    summary: 'Lowest severity that makes the exit code 1; none only reports.',
    options: FAIL_ON_CHOICES,
    env: 'FLEET_AUDIT_FAIL_ON',
    noCacheDefault: true,
    default: fromConfig<FailOn>('fail-on', () => 'high'),
  })(),
  now: Flags.string({summary: 'Pretend it is this day or time (reproducible runs).', env: 'FLEET_AUDIT_NOW'}),
  lang: Flags.option({
    summary: 'Language of messages.',
    options: ['en', 'ja'] as const,
    env: 'FLEET_AUDIT_LANG',
    noCacheDefault: true,
    default: fromConfig('lang', defaultLang),
  })(),
  'max-file-size': Flags.integer({
    summary: 'Refuse inventory files larger than this many bytes.',
    env: 'FLEET_AUDIT_MAX_FILE_SIZE',
    min: 1,
    noCacheDefault: true,
    default: fromConfig('max-file-size', () => DEFAULT_MAX_FILE_SIZE),
    helpGroup: 'INPUT',
  }),
  output: Flags.string({char: 'o', summary: 'Write the report to this file instead of standard output (atomically).'}),
}

/** The ledger database of the ledger commands: flag > FLEET_AUDIT_DB > config `db` > the user's data folder. */
export const dbFlag = Flags.string({
  summary: 'Ledger database file.',
  env: 'FLEET_AUDIT_DB',
  noCacheDefault: true,
  default: fromConfig('db', defaultLedgerPath),
})

/** Where the ledger comes from, for commands whose rules can read it. */
export const ledgerFlags = {
  db: Flags.string({
    summary: 'Ledger database: ledger rules read it, and an audit is stored in its history.',
    env: 'FLEET_AUDIT_DB',
    noCacheDefault: true,
    default: fromConfig('db', () => undefined),
    helpGroup: 'LEDGER',
  }),
  ledger: Flags.string({
    summary: 'Signed hand-off files to read instead of a database (CI); repeatable.',
    multiple: true,
    helpGroup: 'LEDGER',
  }),
}

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>

/**
 * Every command's base: keeps the exit-code contract (2 for unusable input, with `file:line:column reason`
 * lines and no stack trace, also under `--json`, which oclif would otherwise turn into 1).
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  /**
   * Every line a command logs may quote terminals, files or hand-off lists from the other company: control
   * characters and bidi overrides are made visible here, once, for all commands (reports are rendered safe by
   * their reporters).
   */
  override log(message = '', ...args: unknown[]): void {
    super.log(typeof message === 'string' ? sanitize(message) : message, ...args)
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(typeof message === 'string' ? sanitize(message) : message, ...args)
  }

  /**
   * The inventory: the positional argument, else --inventory (flag > environment > config file > ./inventory).
   * Given both as an argument and with --inventory is exit 2, so that the one used is never a guess.
   */
  protected inventoryPath(parsed: {
    args: {inventory?: string}
    flags: {inventory: string}
    raw: readonly {type: string; flag?: string}[]
  }): string {
    const {args, flags, raw} = parsed
    if (args.inventory === undefined) return flags.inventory
    if (raw.some((t) => t.type === 'flag' && t.flag === 'inventory') && flags.inventory !== args.inventory) {
      throw new InputError([
        {
          code: 'E_FLAG',
          message: `the inventory is given twice: "${args.inventory}" and --inventory "${flags.inventory}"`,
          hint: 'give one',
        },
      ])
    }

    return args.inventory
  }

  /** Writes text to standard output or, with --output, to a file through the one atomic-write helper. */
  protected async emit(text: string | Uint8Array, output?: string): Promise<void> {
    if (!output) {
      process.stdout.write(text)
      return
    }

    await writeFileAtomic(output, text, {what: 'the report'})
  }

  /**
   * Each run reads the config file afresh: a process that runs several commands (the in-process test runner, a
   * program embedding the CLI) may change folder, environment or file between them.
   */
  override async init(): Promise<void> {
    configPromise = undefined
    await super.init()
  }

  override async catch(error: Error & {oclif?: {exit?: number}}): Promise<void> {
    if (error instanceof InputError || error instanceof FleetAuditError) {
      const problems = error instanceof InputError ? error.problems : [(error as FleetAuditError).toProblem()]
      this.reportProblems(problems)
      process.exitCode = EXIT.input
      return
    }

    if (error.oclif?.exit !== undefined && error.oclif.exit !== 0) {
      // Flag and argument errors from oclif's parser: unusable input.
      const exit = error.oclif.exit === 1 ? EXIT.input : error.oclif.exit
      // oclif puts the reason after a heading line ("The following error occurred:", "Missing 1 required arg:").
      const parts = error.message
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !/^See more help with/.test(l))
      let message = parts[0] ?? error.message
      if (/^The following errors? occurred:?$/.test(message)) message = parts.slice(1).join('; ')
      else if (message.endsWith(':') && parts[1]) message = `${message} ${parts[1].replaceAll(/\s+/g, ' ')}`
      this.reportProblems([{code: 'E_FLAG', message, hint: this.flagHint(error)}])
      process.exitCode = exit
      return
    }

    if (error.oclif?.exit === 0) return
    if (process.env.DEBUG) throw error
    process.stderr.write(`fleet-audit: internal error: ${error.message} (run with DEBUG=1 for details)\n`)
    process.exitCode = EXIT.internal
  }

  /** "did you mean --facts?" for each mistyped long flag (oclif's NonExistentFlagsError lists them). */
  private flagHint(error: Error & {flags?: unknown}): string | undefined {
    if (!Array.isArray(error.flags)) return undefined
    const ctor = this.constructor as typeof Command
    const known = Object.keys({...ctor.baseFlags, ...ctor.flags}).filter((name) => !ctor.flags?.[name]?.hidden)
    const hints = error.flags
      .filter((f): f is string => typeof f === 'string' && f.startsWith('--'))
      .flatMap((f) => nearest(f.slice(2).split('=')[0], known, 2).map((n) => `--${n}`))
    return hints.length > 0
      ? `did you mean ${hints.join(' or ')}? see "${this.config.bin} ${this.id?.replaceAll(':', ' ')} --help"`
      : undefined
  }

  private reportProblems(problems: Problem[]): void {
    if (this.jsonEnabled()) {
      process.stdout.write(`${JSON.stringify({error: {exit: EXIT.input, problems}}, null, 2)}\n`)
      return
    }

    // Flags may not have parsed (that can be the problem), so the language comes from argv and the environment.
    const i = this.argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='))
    const lang =
      i === -1 ? defaultLang() : this.argv[i] === '--lang' ? this.argv[i + 1] : this.argv[i].slice('--lang='.length)
    const japanese = lang === 'ja'
    const lines = problems
      .slice(0, MAX_PROBLEM_LINES)
      // Problems quote files and hand-off lists from elsewhere: no raw control characters reach the terminal.
      .map((p) => sanitizeLine(formatProblem(p)))
      .map((line, n) => (japanese && PROBLEM_JA[problems[n].code] ? `${line} — ${PROBLEM_JA[problems[n].code]}` : line))
    if (problems.length > MAX_PROBLEM_LINES)
      lines.push(`… ${problems.length - MAX_PROBLEM_LINES} more (use --json to see all)`)
    process.stderr.write(`${lines.join('\n')}\n`)
  }
}
