/**
 * Runs the compiled CLI (`dist/`, built by `npm run build` / `npx tsc -p tsconfig.json`) and captures its exit code,
 * output and wall time: in this process by default (@oclif/core's `run()`, as @oclif/test's runCommand does, see
 * test/support/cli.ts), or as a child process `bin/run.js` — the way users and CI run it — where the test
 * is about the process itself (`child: true`), or for every call when FLEET_AUDIT_TEST_CHILD=1.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {BIN, type CliResult, ROOT, runCli} from '../support/cli.js'

export {BIN, ROOT}
export const EXAMPLE = 'inventories/tohoku-example'
export const EXAMPLE_FACTS = 'inventories/tohoku-example/facts'
export const EXAMPLE_NOW = '2026-11-27'
/** `ledger record install` of `terminal` by retail (the example's actor and approver), at `when`, on the `db` flags. */
export function retailInstallArgs(db: string[], terminal: string, when: string): string[] {
  return [
    ...['ledger', 'record', 'install', ...db, '--terminal', terminal, '--issuer', 'tohoku-epco'],
    ...['--actor', 'ep-tanaka', '--approver', 'ep-takahashi', '--at', when],
  ]
}

/** `audit` of the bundled example with its facts, as of its day: the start of most audit command lines. */
export const AUDIT_EXAMPLE = ['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS, '--now', EXAMPLE_NOW]

export type RunResult = CliResult

export interface RunOptions {
  cwd?: string
  env?: Record<string, string | undefined>
  /** Kill the child after this long; a hang is a failure, not a stuck suite (child processes only). */
  timeout?: number
  /**
   * Run `bin/run.js` as a real child process: for hangs that would block this thread (FIFOs, devices), signals,
   * stdin, resource limits, and what only a whole process shows (its start-up, how it dies).
   */
  child?: boolean
}

/** An environment without the caller's FLEET_AUDIT_* settings, locale or DEBUG, so runs are reproducible. */
function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    // NODE_ENV=test (set by vitest) would make oclif print development-only warnings.
    if (/^(FLEET_AUDIT_|LC_|VITEST|NODE_ENV$|DEBUG$|FORCE_COLOR$|LANG$)/.test(k)) continue
    env[k] = v
  }

  Object.assign(env, {NO_COLOR: '1', LANG: 'C'}, extra)
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return env
}

/** `fleet-audit ARGS...`, with cwd = the repository root unless told otherwise; in this process unless `child`. */
export function run(args: string[], options: RunOptions = {}): Promise<RunResult> {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'audit.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` (or `npm run build`) before the command tests')
  }

  return runCli(args, {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env ?? {}),
    child: options.child,
    timeout: options.timeout ?? 20_000,
  })
}

/** The example's export of 2026-10-15 (Shift_JIS, gzip) as UTF-8 lines without their CRLF, the header first. */
export function exampleDayLines(): string[] {
  const gz = readFileSync(join(ROOT, EXAMPLE, 'logs/2026-10/access-20261015.csv.gz'))
  return new TextDecoder('shift_jis').decode(gunzipSync(gz)).split('\r\n').filter(Boolean)
}

/** The example's log mapping, rewritten to read `files` (a path or glob) in `encoding`, written to `path`. */
export function exampleLogMapping(path: string, files: string, encoding = 'utf-8'): string {
  writeFileSync(
    path,
    readFileSync(join(ROOT, EXAMPLE, 'logs/customer-system.yaml'), 'utf8')
      .replace('encoding: shift_jis', `encoding: ${encoding}`)
      .replace(/files: .*/, `files: ["${files}"]`),
  )
  return path
}

/** `logs analyze` of the example inventory with `mapping`, days `from`..`to`, as JSON. */
export function analyzeLogs(mapping: string, from: string, to = from, options: RunOptions = {}): Promise<RunResult> {
  return run(
    [
      'logs',
      'analyze',
      '-i',
      EXAMPLE,
      '--logs',
      mapping,
      '--from',
      from,
      '--to',
      to,
      '--now',
      EXAMPLE_NOW,
      '--format',
      'json',
    ],
    options,
  )
}

/** A line of the example's day with its time as ISO 8601 with an offset (a time the review reads as text). */
export function isoTime(line: string): string {
  return line.replace(/^(\d{4})\/(\d\d)\/(\d\d) ([\d:]{8})/, '$1-$2-$3T$4+09:00')
}

/**
 * `logs analyze` of 2026-10-15 over `lines` written to `dir/name` (UTF-8, one per line), with the example's mapping
 * (`mapping` rewrites its text): stderr, the file, and its unparseable count and first positions.
 */
export async function analyzeLogLines(
  dir: string,
  name: string,
  lines: readonly string[],
  mapping: (text: string) => string = (text) => text,
): Promise<{stderr: string; file: string; unparseable: number; first: string[]}> {
  const file = join(dir, name)
  writeFileSync(file, lines.join('\n') + '\n')
  const map = exampleLogMapping(join(dir, `${name}.yaml`), file, 'utf-8')
  writeFileSync(map, mapping(readFileSync(map, 'utf8')))
  const r = await analyzeLogs(map, '2026-10-15', '2026-10-15', {timeout: 120_000})
  const logs = r.stdout ? JSON.parse(r.stdout).logs.files[0] : {}
  return {stderr: r.stderr, file, unparseable: logs.unparseable, first: logs.first_unparseable}
}

/** A stack trace line, as Node prints them. */
export const STACK_LINE = /^ {4}at /m

/** A fresh temporary folder, and a function that removes it. */
export function tempDir(prefix = 'fa-cmd-'): {dir: string; remove: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, remove: () => rmSync(dir, {recursive: true, force: true})}
}

/** Lines of a text, without the final empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1)
}
