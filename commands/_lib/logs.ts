import {Flags} from '@oclif/core'

import {InputError, type LogProgress, type LogReviewOptions, parsePeriod} from '../../src/index.js'

/** Flags of an access-log review, shared by `logs analyze` and `audit --logs`. */
export const logFlags = {
  logs: Flags.string({
    summary:
      "Log mapping file (one per log source; repeatable): how an export maps to the review's fields, and its files.",
    multiple: true,
    helpGroup: 'LOGS',
  }),
  'log-file': Flags.string({
    summary: "Read these log files instead of the mapping's `files` (one mapping only; repeatable).",
    multiple: true,
    helpGroup: 'LOGS',
  }),
  from: Flags.string({
    summary: "First day reviewed (YYYY-MM-DD, whole days in the policy's time zone).",
    helpGroup: 'LOGS',
  }),
  to: Flags.string({summary: 'Last day reviewed (inclusive).', helpGroup: 'LOGS'}),
  'show-supply-points': Flags.boolean({
    summary: 'Show supply point ids in full instead of masked (for the NW side only).',
    helpGroup: 'LOGS',
  }),
  'mask-key-env': Flags.string({
    summary:
      'Name of the environment variable holding the key of the supply point mask [default: FLEET_AUDIT_MASK_KEY]. A variable named here must be set.',
    helpGroup: 'LOGS',
  }),
  'memory-limit': Flags.string({
    summary: 'Memory limit of the log engine (e.g. 512MB); larger intermediate results spill to disk.',
    default: '512MB',
    helpGroup: 'LOGS',
  }),
  'query-timeout': Flags.integer({
    summary: "Seconds one log rule's query may run before it is stopped (exit 2 at the rule).",
    default: 60,
    min: 1,
    helpGroup: 'LOGS',
  }),
}

/** The review's options from the flags (the period is checked here: exit 2 for a bad or missing day). */
export function logOptions(flags: {
  logs?: string[]
  'log-file'?: string[]
  from?: string
  to?: string
  'show-supply-points': boolean
  'mask-key-env'?: string
  'memory-limit': string
  'query-timeout'?: number
}): LogReviewOptions {
  const {from, to} = parsePeriod(flags.from, flags.to)
  // Without a key the masks hold for one run only (see the README): fine when none was asked for, but a variable named
  // on purpose and left unset would quietly give masks the NW side cannot match against its records.
  const keyEnv = flags['mask-key-env']
  if (keyEnv !== undefined && !process.env[keyEnv])
    throw new InputError([
      {code: 'E_FLAG', message: `--mask-key-env ${keyEnv}: the variable is not set (or is empty), so there is no key`},
    ])
  return {
    mappings: flags.logs ?? [],
    files: flags['log-file'],
    from,
    to,
    showSupplyPoints: flags['show-supply-points'],
    maskKey: process.env[keyEnv ?? 'FLEET_AUDIT_MASK_KEY'],
    memoryLimit: flags['memory-limit'],
    queryTimeout: flags['query-timeout'],
  }
}

/** A one-line progress bar on stderr (bytes, rows, rate, ETA), only on a terminal, never in CI or with --json. */
export function logProgressBar(enabled: boolean): ((p: LogProgress) => void) | undefined {
  if (!enabled || !process.stderr.isTTY || process.env.CI) return undefined
  const start = Date.now()
  let last = 0
  return (p) => {
    const now = Date.now()
    const finished = p.bytesDone >= p.bytesTotal
    if (!finished && now - last < 200) return
    last = now
    const secs = Math.max((now - start) / 1000, 0.001)
    const rate = p.bytesDone / secs
    const eta = rate > 0 ? Math.ceil((p.bytesTotal - p.bytesDone) / rate) : 0
    const width = 30
    const filled = Math.round((p.bytesDone / Math.max(p.bytesTotal, 1)) * width)
    const mb = (n: number) => (n / 1_048_576).toFixed(0)
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB  ${p.rows.toLocaleString('en')} rows  ${(rate / 1_048_576).toFixed(1)} MB/s  ETA ${eta}s`
    process.stderr.write(`\r${line}\u001b[K${finished ? '\n' : ''}`)
  }
}
