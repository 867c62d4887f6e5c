/**
 * Runs the compiled CLI (dist/, the same modules `bin/run.js` loads) inside the test's own process, the way
 * @oclif/test's `runCommand` does: each run goes through `@oclif/core`'s `run(argv, root)` (config, help, topics,
 * hooks, command lookup, the command's own `catch`), and an error that escapes it is printed and turned into an exit
 * code by oclif's own `handle()`, as `bin/run.js` (`execute()`) does. oclif and the command modules are loaded once
 * per test file (per worker process).
 *
 * A child process costs the CLI's whole start-up (~0.4 s of CPU); this costs the command's work. What the child
 * had for itself is given to each run and taken back afterwards: the environment, the working folder, argv,
 * `process.exitCode`, standard output and error (captured; never a TTY, as under a pipe), and the console (oclif
 * logs through it). Runs are serialised: a test file's concurrent tests wait their turn, because all of that is
 * process-wide.
 *
 * Not for: hangs that block the thread (FIFOs, devices), signals, stdin, resource limits, or crashes of the process
 * itself — call sites that test those ask for a real child.
 */
import {execFile} from 'node:child_process'
import {Console} from 'node:console'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  /** The exit code; null when a child process was killed (a timeout: it hung). */
  code: number | null
  stdout: string
  stderr: string
  /** Standard output and error interleaved in the order written, as `2>&1` would show them. */
  output: string
  /** Wall time of the run itself (not of waiting for its turn), in milliseconds. */
  ms: number
}

export interface CliOptions {
  cwd: string
  /** Exactly the environment of the run (not added to this process's). */
  env: NodeJS.ProcessEnv
  /**
   * Run `bin/run.js` (or `bin`) as a real child process: for hangs that would block this thread (FIFOs, devices),
   * signals, stdin, resource limits, and what only a whole process shows (its start-up, how it dies).
   */
  child?: boolean
  /** Another build's bin/run.js (always a child process). */
  bin?: string
  /** Kill a child after this long, so that a hang fails the test instead of stalling the suite (children only). */
  timeout?: number
}

/** FLEET_AUDIT_TEST_CHILD=1 runs every command as a child process, as the suite did before the in-process runner. */
export const ALL_CHILDREN = process.env.FLEET_AUDIT_TEST_CHILD === '1'

/** `fleet-audit ARGS...`: in this process unless a child is asked for (see CliOptions.child). */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  if (options.child || options.bin || ALL_CHILDREN) return runChild(args, options)
  return runInProcess(args, options)
}

/** `node bin/run.js ARGS...` as a child process. */
export function runChild(args: string[], options: CliOptions): Promise<CliResult> {
  const started = performance.now()
  return new Promise((done) => {
    execFile(
      process.execPath,
      [options.bin ?? BIN, ...args],
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeout ?? 0,
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0
        // A child's two pipes are read separately: their interleaving is not known.
        done({code, stdout, stderr, output: stdout + stderr, ms: Math.round(performance.now() - started)})
      },
    )
  })
}

type Oclif = {
  run: typeof import('@oclif/core').run
  handle: typeof import('@oclif/core/handle').handle
  Exit: typeof import('@oclif/core/handle').Exit
}

let oclif: Promise<Oclif> | undefined
let queue: Promise<unknown> = Promise.resolve()

/**
 * oclif and its colour library (ansis) decide about colour once, when first imported: import them under the same
 * environment a child gets (NO_COLOR, no FORCE_COLOR), then check that colour is really off.
 */
async function load(): Promise<Oclif> {
  const saved = {NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR}
  process.env.NO_COLOR = '1'
  delete process.env.FORCE_COLOR
  try {
    const core = await import('@oclif/core')
    const {handle, Exit} = await import('@oclif/core/handle')
    if (core.ux.colorize('red', 'x') !== 'x')
      throw new Error('in-process CLI runner: oclif would colour its output (ansis was loaded with colour on)')
    return {run: core.run, handle, Exit}
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
  }
}

/** Replaces a property for the length of a run; returns its restorer. */
function override<T extends object>(target: T, key: PropertyKey, value: unknown): () => void {
  const own = Object.getOwnPropertyDescriptor(target, key)
  Object.defineProperty(target, key, {value, configurable: true, writable: true, enumerable: own?.enumerable ?? true})
  return () => {
    if (own) Object.defineProperty(target, key, own)
    else delete (target as Record<PropertyKey, unknown>)[key]
  }
}

/** `fleet-audit ARGS...` in this process, with exactly `env` as the environment and `cwd` as the working folder. */
export function runInProcess(args: string[], options: CliOptions): Promise<CliResult> {
  const turn = queue.then(() => once(args, options))
  queue = turn.catch(() => {})
  return turn
}

async function once(args: string[], options: CliOptions): Promise<CliResult> {
  oclif ??= load()
  const {run, handle, Exit} = await oclif

  const started = performance.now()
  const chunks = {stdout: [] as Buffer[], stderr: [] as Buffer[], output: [] as Buffer[]}
  const capture =
    (into: Buffer[]) =>
    (
      chunk: string | Uint8Array,
      encoding?: BufferEncoding | ((e?: Error | null) => void),
      cb?: (e?: Error | null) => void,
    ): boolean => {
      const bytes =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8')
          : Buffer.from(chunk)
      into.push(bytes)
      chunks.output.push(bytes)
      const done = typeof encoding === 'function' ? encoding : cb
      if (done) process.nextTick(done)
      return true
    }

  const savedEnv = {...process.env}
  const savedCwd = process.cwd()
  const savedArgv = process.argv
  const savedExitCode = process.exitCode
  const restore: (() => void)[] = []
  let exitCode: number | undefined

  try {
    // A working folder that does not exist fails here, before anything else is changed.
    process.chdir(options.cwd)
    // The environment is replaced in place: Node reads process.env live (TZ, child processes of the command).
    for (const k of Object.keys(process.env)) delete process.env[k]
    Object.assign(process.env, options.env)
    process.argv = [process.execPath, BIN, ...args]
    process.exitCode = undefined
    for (const [stream, into] of [
      [process.stdout, chunks.stdout],
      [process.stderr, chunks.stderr],
    ] as const) {
      restore.push(
        override(stream, 'write', capture(into)),
        override(stream, 'isTTY', false),
        override(stream, 'columns', undefined),
      )
    }
    // oclif writes through console.log / console.error; the test runner's console would swallow them.
    restore.push(
      override(globalThis, 'console', new Console({stdout: process.stdout, stderr: process.stderr, colorMode: false})),
    )
    restore.push(
      override(Exit, 'exit', (code = 0) => {
        exitCode ??= code
      }),
    )

    // The root as bin/run.js gives it: oclif reads its Config afresh (the package.json and manifest; the command
    // modules stay loaded). A Config reused across runs leaks: after `help inventory validate`, oclif no longer found
    // `inventory validate`.
    try {
      await run(args, BIN)
      exitCode = typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0)
    } catch (error) {
      // What bin/run.js does with an error that escapes the command: oclif's handle() prints it and exits.
      await handle(error as Error)
    }
  } finally {
    for (const undo of restore.reverse()) undo()
    process.exitCode = savedExitCode
    process.argv = savedArgv
    process.chdir(savedCwd)
    for (const k of Object.keys(process.env)) delete process.env[k]
    Object.assign(process.env, savedEnv)
  }

  const text = (b: Buffer[]) => Buffer.concat(b).toString('utf8')
  return {
    code: exitCode ?? 0,
    stdout: text(chunks.stdout),
    stderr: text(chunks.stderr),
    output: text(chunks.output),
    ms: Math.round(performance.now() - started),
  }
}
