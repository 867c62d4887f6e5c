import type {Facts, Outcome} from '../model/types.js'
import type {ProbeProfile} from '../facts/probes/types.js'

/** Progress after each terminal, for a progress bar (the core never draws it). */
export interface CollectProgress {
  done: number
  total: number
  failed: number
  terminal: string
  outcome: Outcome
  /** Milliseconds since collection started. */
  elapsedMs: number
}

/** Operator settings for collection; none of them come from the inventory. */
export interface CollectOptions {
  /** OpenSSH known_hosts file; a missing file counts as empty. */
  knownHostsPath?: string
  /** Append keys of hosts never seen before (OpenSSH `StrictHostKeyChecking=accept-new`); changed keys are never accepted. */
  acceptNew?: boolean
  /** Hash hosts in lines written by `acceptNew` (OpenSSH `HashKnownHosts yes`). */
  hashKnownHosts?: boolean
  /** Private key file (OpenSSH or PEM). */
  privateKeyPath?: string
  /** Name of the environment variable holding the key's passphrase (never the passphrase itself). */
  passphraseEnv?: string
  /** ssh-agent socket path (usually `SSH_AUTH_SOCK`). Tried after the key file when both are given. */
  agent?: string
  /** User when a terminal's `ssh.user` is not set. */
  user?: string
  /** Profile when a terminal's `ssh.profile` is not set; default `linux`. */
  defaultProfile?: string
  /** Extra or overriding profiles by name. */
  profiles?: Record<string, ProbeProfile>
  /** TCP connect + SSH handshake + authentication, per attempt; default 10 s. */
  connectTimeoutMs?: number
  /** The probe command, per terminal; default 30 s. */
  commandTimeoutMs?: number
  /** Overall deadline for the whole run, from its start; default none. */
  deadlineMs?: number
  /** Attempts for transient failures (connection refused or reset); default 3. */
  attempts?: number
  /** First retry delay, doubled each time with jitter; default 250 ms. */
  backoffMs?: number
  /** Terminals collected at once; default 32. */
  concurrency?: number
  /** Remote output kept per terminal; more makes the outcome `output-invalid`; default 1 MiB. */
  maxOutputBytes?: number
  /** Stops collection; facts already collected are returned, unfinished terminals are left out. */
  signal?: AbortSignal
}

/** I/O the collector needs, passed in so tests and CI control it. */
export interface CollectDeps {
  now(): Date
  onProgress?(p: CollectProgress): void
  /** Environment to read `passphraseEnv` from; default `process.env`. */
  env?: Record<string, string | undefined>
  /** The SSH transport; default node-ssh. */
  transport?: import('./transport.js').Transport
}

/** Facts for each terminal, in the order of the input, plus what happened to the run. */
export interface CollectResult {
  facts: Facts[]
  /** Terminals not collected because the run was aborted. */
  skipped: string[]
  aborted: boolean
  /** Lines appended to known_hosts by `acceptNew`. */
  acceptedHostKeys: Array<{terminal: string; host_key: string}>
  /** Lines of known_hosts that could not be parsed (skipped, as OpenSSH does). */
  knownHostsProblems: string[]
  /** Things the operator should hear about that did not change any facts (e.g. known_hosts not writable). */
  warnings: string[]
}
