/**
 * Runs the compiled CLI (`bin/run.js` over `dist/`, built by `npm run build` / `npx tsc -p tsconfig.json`) as a
 * child process, the way users and CI do, and captures its exit code, output and wall time.
 */
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
export const BIN = join(ROOT, 'bin', 'run.js')
export const EXAMPLE = 'inventories/tohoku-example'
export const EXAMPLE_FACTS = 'inventories/tohoku-example/facts'
export const EXAMPLE_NOW = '2026-11-27'

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
  /** Wall time of the child process, in milliseconds. */
  ms: number
}

export interface RunOptions {
  cwd?: string
  env?: Record<string, string | undefined>
  /** Kill the child after this long; a hang is a failure, not a stuck suite. */
  timeout?: number
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

/** `fleet-audit ARGS...`, with cwd = the repository root unless told otherwise. */
export function run(args: string[], options: RunOptions = {}): Promise<RunResult> {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'audit.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` (or `npm run build`) before the command tests')
  }

  const started = performance.now()
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {cwd: options.cwd ?? ROOT, env: cleanEnv(options.env ?? {}), timeout: options.timeout ?? 20_000, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8'},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0
        done({code, stdout, stderr, ms: Math.round(performance.now() - started)})
      },
    )
  })
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
