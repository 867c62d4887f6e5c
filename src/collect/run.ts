import {setMaxListeners} from 'node:events'
import {appendFile, mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'

import type {Facts, Outcome, Terminal} from '../model/types.js'
import {escapeRaw} from '../io/text.js'
import {fingerprintOf} from './fingerprint.js'
import {type HostKeyVerdict, knownHostsLine, type KnownHosts, verifyHostKey} from './known-hosts.js'
import {nodeSshTransport, type Session, type SshAuth, TransportError, type TransportFailure} from './transport.js'
import {COLLECT_DEFAULTS} from './defaults.js'
import type {CollectDeps, CollectOptions, CollectResult} from './types.js'
import type {ProbeProfile} from '../facts/probes/types.js'

/** One terminal, resolved and checked: where, as whom, with which profile. */
export interface Plan {
  terminal: Terminal
  host: string
  port: number
  user: string
  profile: ProbeProfile
}

/** Options with every default filled in. */
export type Resolved = CollectOptions & typeof COLLECT_DEFAULTS

const RETRIED: readonly TransportFailure[] = ['refused', 'reset']

/**
 * One collection run: a pool of workers over the plans, an overall deadline, the caller's abort, and serialized
 * known_hosts appends. Each terminal yields one facts document, or none when the caller aborted before it finished.
 */
export class Run {
  private readonly started = Date.now()
  private readonly stop = new AbortController()
  private deadlineHit = false
  private done = 0
  private failed = 0
  private total = 0
  private appendChain: Promise<void> = Promise.resolve()
  private needsNewline: boolean
  private readonly appended = new Set<string>()
  readonly result: CollectResult

  constructor(
    private readonly o: Resolved,
    private readonly options: CollectOptions,
    private readonly deps: CollectDeps,
    private readonly auth: SshAuth,
    private readonly knownHosts: KnownHosts,
    knownHostsText: string,
  ) {
    this.needsNewline = knownHostsText.length > 0 && !knownHostsText.endsWith('\n')
    this.result = {
      facts: [],
      skipped: [],
      aborted: false,
      acceptedHostKeys: [],
      knownHostsProblems: knownHosts.problems,
      warnings: [],
    }
    // Every connection in flight listens on this signal; thousands of listeners are expected, not a leak.
    setMaxListeners(0, this.stop.signal)
  }

  async all(plans: Plan[]): Promise<CollectResult> {
    const onAbort = (): void => this.stop.abort()
    this.options.signal?.addEventListener('abort', onAbort, {once: true})
    if (this.options.signal?.aborted) this.stop.abort()
    const deadline =
      this.o.deadlineMs === undefined
        ? undefined
        : setTimeout(() => {
            this.deadlineHit = true
            this.stop.abort()
          }, this.o.deadlineMs)
    this.total = plans.length
    const slots: Array<Facts | undefined> = Array.from({length: plans.length})
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < plans.length) {
        const i = next++
        if (this.remaining() <= 0 && !this.stop.signal.aborted) {
          this.deadlineHit = true
          this.stop.abort()
        }
        if (this.stop.signal.aborted && !this.deadlineHit) continue
        const facts = this.stop.signal.aborted
          ? this.failure(plans[i], 'timeout', 'overall deadline reached before this terminal was started', {
              meta: {attempts: 0},
            })
          : await this.one(plans[i])
        slots[i] = facts
        if (facts) this.progress(plans[i], facts.outcome)
      }
    }
    try {
      await Promise.all(Array.from({length: Math.min(this.o.concurrency, plans.length)}, worker))
      await this.appendChain
    } finally {
      clearTimeout(deadline)
      this.options.signal?.removeEventListener('abort', onAbort)
    }
    for (const [i, f] of slots.entries()) {
      if (f) this.result.facts.push(f)
      else this.result.skipped.push(plans[i].terminal.id)
    }
    this.result.aborted = this.options.signal?.aborted === true
    return this.result
  }

  private progress(plan: Plan, outcome: Outcome): void {
    this.done++
    if (outcome !== 'ok') this.failed++
    this.deps.onProgress?.({
      done: this.done,
      total: this.total,
      failed: this.failed,
      terminal: plan.terminal.id,
      outcome,
      elapsedMs: Date.now() - this.started,
    })
  }

  private remaining(): number {
    return this.o.deadlineMs === undefined ? Infinity : this.o.deadlineMs - (Date.now() - this.started)
  }

  /** Collects one terminal; undefined when the run was aborted by the caller before it finished. */
  private async one(plan: Plan): Promise<Facts | undefined> {
    const t0 = Date.now()
    const hostKey = new HostKeyCheck(plan, this.knownHosts, this.o.acceptNew === true)
    let attempt = 0
    const extra = (): Partial<Facts> => ({
      ...(hostKey.presented ? {host_key: fingerprintOf(hostKey.presented)} : {}),
      ...(hostKey.via() ? {host_key_via: hostKey.via() as Facts['host_key_via']} : {}),
      meta: {
        profile: plan.profile.name,
        address: plan.host.includes(':') ? `[${plan.host}]:${plan.port}` : `${plan.host}:${plan.port}`,
        user: plan.user,
        attempts: attempt,
        duration_ms: Date.now() - t0,
      },
    })
    for (;;) {
      attempt++
      let session: Session
      try {
        session = await (this.deps.transport ?? nodeSshTransport).open(
          {host: plan.host, port: plan.port, user: plan.user},
          this.auth,
          {
            timeoutMs: Math.min(this.o.connectTimeoutMs, this.remaining()),
            signal: this.stop.signal,
            verifyHostKey: hostKey.verify,
          },
        )
      } catch (error) {
        if (!(error instanceof TransportError)) throw error
        if (error.kind === 'aborted')
          return this.deadlineHit
            ? this.failure(plan, 'timeout', 'overall deadline reached while connecting', extra())
            : undefined
        // The handshake proved the server holds the key even though our key was refused: keep it, like OpenSSH.
        if (error.kind === 'auth' && hostKey.acceptedNew) this.acceptNew(plan, hostKey.presented!)
        const wait = this.o.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random())
        if (RETRIED.includes(error.kind) && attempt < this.o.attempts && wait < this.remaining()) {
          if (await sleep(wait, this.stop.signal)) continue
          if (!this.deadlineHit) return undefined
        }
        return this.connectFailure(plan, error, hostKey, extra())
      }
      if (hostKey.acceptedNew) this.acceptNew(plan, hostKey.presented!)
      try {
        return await this.probe(plan, session, extra)
      } catch (error) {
        // The session was up but the command could not run: reachable, but the probe failed.
        if (!(error instanceof TransportError)) throw error
        return this.failure(plan, 'probe-failed', error.message, extra())
      } finally {
        session.close()
      }
    }
  }

  private connectFailure(plan: Plan, error: TransportError, hostKey: HostKeyCheck, extra: Partial<Facts>): Facts {
    switch (error.kind) {
      case 'hostkey': {
        const {outcome, reason} = hostKey.refusal()
        return this.failure(plan, outcome, reason, extra)
      }
      case 'unresolved':
        return this.failure(
          plan,
          'unresolved',
          `${plan.host}: ${error.message}; check the terminal's address or hostname in the inventory, and DNS`,
          extra,
        )
      case 'auth':
        return this.failure(
          plan,
          'auth',
          `${error.message} as ${plan.user}: check the key given (--identity, --agent) and that its public key is in that ` +
            `account's authorized_keys (Windows administrators: C:\\ProgramData\\ssh\\administrators_authorized_keys)`,
          extra,
        )
      case 'timeout': {
        const why = this.remaining() <= 50 ? 'overall deadline reached' : `limit ${this.o.connectTimeoutMs} ms`
        return this.failure(plan, 'timeout', `${error.message} (${why})`, extra)
      }
      default:
        return this.failure(plan, 'refused', error.message, extra)
    }
  }

  private async probe(plan: Plan, session: Session, extra: () => Partial<Facts>): Promise<Facts | undefined> {
    const timeoutMs = Math.min(this.o.commandTimeoutMs, this.remaining())
    const run = await session.exec(plan.profile.command, {
      timeoutMs,
      maxBytes: this.o.maxOutputBytes,
      signal: this.stop.signal,
    })
    if (run.aborted && !this.deadlineHit) return undefined
    if (run.aborted || run.timedOut) {
      const byDeadline = run.aborted || timeoutMs < this.o.commandTimeoutMs
      const why = byDeadline ? 'overall deadline reached' : `limit ${this.o.commandTimeoutMs} ms`
      return this.failure(plan, 'timeout', `probe command did not finish (${why})`, extra())
    }
    if (run.overflow)
      return this.failure(plan, 'output-invalid', `output exceeds ${this.o.maxOutputBytes} bytes; reading stopped`, {
        ...extra(),
        error: {reason: '', raw: escapeRaw(run.stdout.subarray(0, 512), 2048)},
      })
    const parsed = plan.profile.parse(run)
    if (!parsed.ok) {
      return this.failure(plan, parsed.outcome, parsed.reason, {
        ...extra(),
        ...(parsed.raw === undefined ? {} : {error: {reason: '', raw: parsed.raw}}),
      })
    }
    return {
      terminal: plan.terminal.id,
      collected_at: this.deps.now().toISOString(),
      outcome: 'ok',
      ...extra(),
      client: parsed.client,
      os: parsed.os,
    }
  }

  private failure(plan: Plan, outcome: Exclude<Outcome, 'ok'>, reason: string, extra: Partial<Facts>): Facts {
    const raw = extra.error?.raw
    return {
      terminal: plan.terminal.id,
      collected_at: this.deps.now().toISOString(),
      outcome,
      ...extra,
      error: {reason: reason.slice(0, 4096), ...(raw === undefined ? {} : {raw: raw.slice(0, 65536)})},
    }
  }

  /** Appends a newly accepted key once the handshake has proven the server holds it; appends are serialized. */
  private acceptNew(plan: Plan, key: Buffer): void {
    const path = this.options.knownHostsPath
    const id = `${plan.host}:${plan.port}:${key.toString('base64')}`
    if (!path || this.appended.has(id)) return
    this.appended.add(id)
    this.result.acceptedHostKeys.push({terminal: plan.terminal.id, host_key: fingerprintOf(key)})
    const line = knownHostsLine(
      plan.host,
      plan.port,
      key,
      this.o.hashKnownHosts,
      this.deps.now().toISOString().slice(0, 10),
    )
    const prefix = this.needsNewline ? '\n' : ''
    this.needsNewline = false
    this.appendChain = this.appendChain.then(async () => {
      try {
        await mkdir(dirname(path), {recursive: true})
        await appendFile(path, `${prefix}${line}\n`, {mode: 0o600})
      } catch (error) {
        // The facts stand; only remembering the key failed, which the caller must hear about.
        this.result.warnings.push(
          `could not add ${plan.terminal.id}'s host key to ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        )
      }
    })
  }
}

/** The host key decision for one terminal, kept across attempts so failures can say expected vs presented. */
class HostKeyCheck {
  presented?: Buffer
  verdict?: HostKeyVerdict
  acceptedNew = false

  constructor(
    private readonly plan: Plan,
    private readonly knownHosts: KnownHosts,
    private readonly acceptNew: boolean,
  ) {}

  /** Given to the transport; called with the raw key before anything is sent. */
  readonly verify = (key: Buffer): boolean => {
    this.presented = key
    const {host, port, terminal} = this.plan
    this.verdict = verifyHostKey({presented: key, host, port, knownHosts: this.knownHosts, pin: terminal.ssh.host_key})
    this.acceptedNew = this.verdict.status === 'unknown' && this.acceptNew
    return this.verdict.status === 'ok' || this.acceptedNew
  }

  via(): string | undefined {
    return this.verdict?.status === 'ok' ? this.verdict.via : this.acceptedNew ? 'accept-new' : undefined
  }

  refusal(): {outcome: 'hostkey-changed' | 'hostkey-unknown'; reason: string} {
    const fp = this.presented ? fingerprintOf(this.presented) : 'none'
    if (this.verdict?.status === 'changed') {
      const expected = this.verdict.expected.length > 0 ? `expected ${this.verdict.expected.join(' or ')}, ` : ''
      return {outcome: 'hostkey-changed', reason: `${this.verdict.reason}: ${expected}presented ${fp}`}
    }
    return {
      outcome: 'hostkey-unknown',
      reason:
        `host key ${fp} is neither pinned nor in known_hosts (not collected). Compare it out of band with the machine's ` +
        `own (at its console: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub, on Windows ` +
        `C:\\ProgramData\\ssh\\ssh_host_ed25519_key.pub), then pin it as ssh.host_key in the inventory, add it to ` +
        `known_hosts, or collect once with --accept-new`,
    }
  }
}

/** Waits; false when aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      resolve(false)
    }
    signal.addEventListener('abort', onAbort, {once: true})
  })
}
