import {homedir} from 'node:os'
import {join} from 'node:path'

import {Flags} from '@oclif/core'

import {
  COLLECT_DEFAULTS,
  type CollectOptions,
  type CollectProgress,
  InputError,
  type LiveOptions,
  parseShard,
} from '../../src/index.js'
import {fromConfig} from './base.js'

/**
 * The operator's SSH settings. Key material never passes through flags: only a key file path, an agent
 * socket and the *name* of the variable that holds a passphrase.
 */
export const sshFlags = {
  identity: Flags.string({
    summary: 'Private key file.',
    env: 'FLEET_AUDIT_IDENTITY',
    noCacheDefault: true,
    default: fromConfig('identity', () => undefined),
    helpGroup: 'SSH',
  }),
  agent: Flags.string({
    summary: 'ssh-agent socket (default: $SSH_AUTH_SOCK when no --identity is given).',
    noCacheDefault: true,
    default: fromConfig('agent', () => undefined),
    helpGroup: 'SSH',
  }),
  'passphrase-env': Flags.string({
    summary: 'Name of the environment variable holding the key passphrase.',
    noCacheDefault: true,
    default: fromConfig('passphrase-env', () => undefined),
    helpGroup: 'SSH',
  }),
  'known-hosts': Flags.string({
    summary: 'OpenSSH known_hosts file (default: ~/.ssh/known_hosts).',
    env: 'FLEET_AUDIT_KNOWN_HOSTS',
    noCacheDefault: true,
    default: fromConfig('known-hosts', () => join(homedir(), '.ssh', 'known_hosts')),
    helpGroup: 'SSH',
  }),
  'accept-new': Flags.boolean({
    summary:
      'Record host keys of hosts never seen before (like StrictHostKeyChecking=accept-new); changed keys are never accepted.',
    helpGroup: 'SSH',
  }),
  'hash-known-hosts': Flags.boolean({
    summary: 'With --accept-new, write hashed host names (like HashKnownHosts yes).',
    helpGroup: 'SSH',
  }),
  'max-output': Flags.integer({
    summary: 'Bytes of remote output kept per terminal; more is output-invalid.',
    min: 1024,
    default: COLLECT_DEFAULTS.maxOutputBytes,
    helpGroup: 'SSH',
  }),
  concurrency: Flags.integer({
    summary: 'Terminals collected at once.',
    min: 1,
    max: 1000,
    noCacheDefault: true,
    default: fromConfig('concurrency', () => COLLECT_DEFAULTS.concurrency),
    helpGroup: 'SSH',
  }),
  'connect-timeout': Flags.integer({
    summary: 'Seconds for connect + handshake + authentication.',
    min: 1,
    default: COLLECT_DEFAULTS.connectTimeoutMs / 1000,
    helpGroup: 'SSH',
  }),
  'command-timeout': Flags.integer({
    summary: 'Seconds for the probe command.',
    min: 1,
    default: COLLECT_DEFAULTS.commandTimeoutMs / 1000,
    helpGroup: 'SSH',
  }),
  deadline: Flags.integer({
    summary: 'Seconds for the whole collection; terminals not done by then are timeouts.',
    min: 1,
    helpGroup: 'SSH',
  }),
}

export const selectionFlags = {
  only: Flags.string({
    summary: 'Only these terminal ids (comma-separated); reaches planned terminals too.',
    helpGroup: 'SELECTION',
  }),
  site: Flags.string({summary: 'Only terminals of these sites (comma-separated).', helpGroup: 'SELECTION'}),
  zone: Flags.string({summary: 'Only terminals of these zones (comma-separated).', helpGroup: 'SELECTION'}),
  'include-removed': Flags.boolean({
    summary: 'Also try terminals declared removed, to prove they no longer answer.',
    helpGroup: 'SELECTION',
  }),
  shard: Flags.string({
    summary: 'Collect shard i of n (e.g. 2/4), split stably by terminal id, for parallel CI runners.',
    helpGroup: 'SELECTION',
  }),
}

type SshFlagValues = {[K in keyof typeof sshFlags]: unknown} & {[K in keyof typeof selectionFlags]?: unknown}

/** Turns parsed flags into the core's collection options and selection. */
export function liveOptions(flags: SshFlagValues, out?: string): LiveOptions {
  const list = (v: unknown) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined
  let shard: {index: number; count: number} | undefined
  if (typeof flags.shard === 'string') {
    const parsed = parseShard(flags.shard)
    if ('problem' in parsed) throw new InputError([{code: 'E_FLAG', message: parsed.problem}])
    shard = parsed
  }

  const collect: CollectOptions = {
    privateKeyPath: flags.identity as string | undefined,
    agent: (flags.agent as string | undefined) ?? (flags.identity ? undefined : process.env.SSH_AUTH_SOCK),
    passphraseEnv: flags['passphrase-env'] as string | undefined,
    knownHostsPath: flags['known-hosts'] as string,
    acceptNew: Boolean(flags['accept-new']),
    hashKnownHosts: Boolean(flags['hash-known-hosts']),
    maxOutputBytes: flags['max-output'] as number,
    concurrency: flags.concurrency as number,
    connectTimeoutMs: (flags['connect-timeout'] as number) * 1000,
    commandTimeoutMs: (flags['command-timeout'] as number) * 1000,
    deadlineMs: flags.deadline === undefined ? undefined : (flags.deadline as number) * 1000,
  }
  return {
    selection: {
      only: list(flags.only),
      site: list(flags.site),
      zone: list(flags.zone),
      statuses: flags['include-removed'] ? ['active', 'removed'] : ['active'],
      shard,
    },
    collect,
    out,
  }
}

/** Ctrl-C stops collection cleanly: what was collected is kept and written. */
export function abortOnSigint(): {signal: AbortSignal; dispose(): void} {
  const controller = new AbortController()
  const onSigint = () => controller.abort()
  process.once('SIGINT', onSigint)
  return {signal: controller.signal, dispose: () => process.off('SIGINT', onSigint)}
}

/**
 * A one-line progress bar on stderr, only on a TTY and never in CI or with --json, so that logs and machine
 * output stay clean.
 */
export function progressBar(enabled: boolean): ((p: CollectProgress) => void) | undefined {
  if (!enabled || !process.stderr.isTTY || process.env.CI) return undefined
  let last = 0
  return (p) => {
    const now = Date.now()
    if (p.done !== p.total && now - last < 100) return
    last = now
    const rate = p.done / Math.max(p.elapsedMs / 1000, 0.001)
    const eta = rate > 0 ? Math.ceil((p.total - p.done) / rate) : 0
    const width = 30
    const filled = Math.round((p.done / Math.max(p.total, 1)) * width)
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total}  failed ${p.failed}  ${rate.toFixed(1)}/s  ETA ${eta}s`
    process.stderr.write(`\r${line}\u001b[K${p.done === p.total ? '\n' : ''}`)
  }
}
