// Kept apart from run.ts so that commands can show the defaults in --help without loading the SSH stack.

/** Defaults, named so commands can show them in `--help`. */
export const COLLECT_DEFAULTS: Readonly<{
  concurrency: number
  connectTimeoutMs: number
  commandTimeoutMs: number
  attempts: number
  backoffMs: number
  maxOutputBytes: number
  defaultProfile: string
}> = {
  concurrency: 32,
  connectTimeoutMs: 10_000,
  commandTimeoutMs: 30_000,
  attempts: 3,
  backoffMs: 250,
  maxOutputBytes: 1024 * 1024,
  defaultProfile: 'linux',
}
