import {connect as netConnect, type Socket} from 'node:net'

import {NodeSSH} from 'node-ssh'
import type {ClientChannel} from 'ssh2'

/** Why a connection failed, before any outcome is decided. */
export type TransportFailure =
  'unresolved' | 'refused' | 'reset' | 'unreachable' | 'timeout' | 'auth' | 'hostkey' | 'aborted' | 'protocol'

/** A connection failure; the message never contains key material. */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailure,
    message: string,
  ) {
    super(message)
    this.name = 'TransportError'
  }
}

/** Where to connect and as whom. */
export interface SshTarget {
  host: string
  port: number
  user: string
}

/** Credentials, already read and decrypted once per run; never logged. */
export interface SshAuth {
  /** Private key text (OpenSSH or PEM), unencrypted. */
  privateKey?: string
  /** ssh-agent socket path. */
  agent?: string
}

/** Limits for opening a session. */
export interface OpenOptions {
  /** TCP connect + handshake + authentication. */
  timeoutMs: number
  signal?: AbortSignal
  /** Called with the raw public key blob the server presents, before anything is sent; false refuses it. */
  verifyHostKey(key: Buffer): boolean
}

/** Limits for one command. */
export interface ExecOptions {
  timeoutMs: number
  /** Stdout kept; past it reading stops and `overflow` is set. */
  maxBytes: number
  signal?: AbortSignal
}

/** What one command produced. */
export interface ExecResult {
  stdout: Buffer
  stderr: Buffer
  code: number | null
  overflow: boolean
  timedOut: boolean
  aborted: boolean
}

/** An authenticated SSH connection. */
export interface Session {
  exec(command: string, options: ExecOptions): Promise<ExecResult>
  close(): void
}

/** Opens sessions; the only thing that speaks SSH. Tests may pass their own. */
export interface Transport {
  open(target: SshTarget, auth: SshAuth, options: OpenOptions): Promise<Session>
}

const MAX_STDERR = 64 * 1024

function tcpConnect(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({host, port})
    // Nagle delays the small handshake packets; off, connect+auth drops from ~100 ms to ~60 ms (STACK-NOTES).
    sock.setNoDelay(true)
    const done = (err?: TransportError): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      sock.removeAllListeners('error')
      sock.removeAllListeners('connect')
      if (err) {
        sock.destroy()
        reject(err)
      } else {
        // ssh2 adds its own listener; this one only keeps a late error from becoming an uncaught exception.
        sock.on('error', () => {})
        resolve(sock)
      }
    }
    const onAbort = (): void => done(new TransportError('aborted', 'aborted'))
    const timer = setTimeout(
      () => done(new TransportError('timeout', `TCP connect did not complete within ${timeoutMs} ms`)),
      timeoutMs,
    )
    signal?.addEventListener('abort', onAbort, {once: true})
    sock.once('connect', () => done())
    sock.once('error', (err: NodeJS.ErrnoException) => done(socketError(err)))
  })
}

function socketError(err: NodeJS.ErrnoException): TransportError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new TransportError('refused', 'connection refused')
    case 'ECONNRESET':
    case 'EPIPE':
      return new TransportError('reset', 'connection reset by peer')
    case 'ETIMEDOUT':
      return new TransportError('timeout', 'connection timed out')
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TransportError('unresolved', `name does not resolve (${err.code})`)
    default:
      return new TransportError('unreachable', `${err.code ?? 'socket error'}: ${err.message}`)
  }
}

function classifySshError(
  err: Error & {level?: string; code?: unknown},
  state: {hostkeyRefused: boolean; timedOut: boolean},
): TransportError {
  if (state.hostkeyRefused) return new TransportError('hostkey', 'host key refused')
  if (state.timedOut || err.level === 'client-timeout')
    return new TransportError('timeout', 'SSH handshake or authentication timed out')
  if (err.level === 'client-authentication' || err.level === 'agent')
    return new TransportError(
      'auth',
      err.level === 'agent' ? `ssh-agent: ${err.message}` : 'authentication failed (all offered methods)',
    )
  if (err.level === 'client-socket') return socketError(err as NodeJS.ErrnoException)
  // node-ssh reports a peer that closed before the handshake finished as "No response from server".
  if (/No response from server|Connection lost before handshake/.test(err.message))
    return new TransportError('reset', 'connection closed by peer before the session was ready')
  return new TransportError('protocol', `SSH protocol error: ${err.message}`)
}

/** Transport over node-ssh (ssh2), with our own socket (no Nagle), a host key verifier and bounded reads. */
export const nodeSshTransport: Transport = {
  async open(target, auth, options) {
    const started = Date.now()
    const sock = await tcpConnect(target.host, target.port, options.timeoutMs, options.signal)
    const state = {hostkeyRefused: false, timedOut: false}
    const ssh = new NodeSSH()
    const remaining = Math.max(1, options.timeoutMs - (Date.now() - started))
    const timer = setTimeout(() => {
      state.timedOut = true
      sock.destroy()
    }, remaining + 50)
    const onAbort = (): void => {
      sock.destroy()
    }
    options.signal?.addEventListener('abort', onAbort, {once: true})
    try {
      await ssh.connect({
        sock,
        username: target.user,
        readyTimeout: remaining,
        ...(auth.privateKey ? {privateKey: auth.privateKey} : {}),
        ...(auth.agent ? {agent: auth.agent} : {}),
        tryKeyboard: false,
        hostVerifier: (key: Buffer) => {
          const ok = options.verifyHostKey(key)
          if (!ok) state.hostkeyRefused = true
          return ok
        },
      })
    } catch (error) {
      sock.destroy()
      if (options.signal?.aborted) throw new TransportError('aborted', 'aborted')
      throw classifySshError(error as Error, state)
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    }
    const conn = ssh.connection!
    // Errors after the session is up surface through exec; keep an emitter error from crashing the process.
    conn.on('error', () => {})
    return {
      exec: (command, execOptions) => execBounded(conn, command, execOptions),
      close: () => {
        conn.end()
        sock.destroy()
      },
    }
  },
}

function execBounded(
  conn: NonNullable<NodeSSH['connection']>,
  command: string,
  options: ExecOptions,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = []
    const err: Buffer[] = []
    let outBytes = 0
    let errBytes = 0
    let code: number | null = null
    let overflow = false
    let timedOut = false
    let aborted = false
    let channel: ClientChannel | undefined
    let settled = false
    const finish = (): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      resolve({stdout: Buffer.concat(out), stderr: Buffer.concat(err), code, overflow, timedOut, aborted})
    }
    // Stopping a channel we no longer trust: closing it is not enough for a flooding peer, so end the connection.
    const stop = (): void => {
      channel?.removeAllListeners('data')
      conn.end()
      finish()
    }
    const onAbort = (): void => {
      aborted = true
      stop()
    }
    const timer = setTimeout(() => {
      timedOut = true
      stop()
    }, options.timeoutMs)
    options.signal?.addEventListener('abort', onAbort, {once: true})
    conn.exec(command, (e, ch) => {
      if (e) {
        if (settled) return
        settled = true
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
        reject(new TransportError('protocol', `could not start the command: ${e.message}`))
        return
      }
      channel = ch
      ch.on('data', (chunk: Buffer) => {
        if (overflow) return
        if (outBytes + chunk.length > options.maxBytes) {
          out.push(chunk.subarray(0, options.maxBytes - outBytes))
          outBytes = options.maxBytes
          overflow = true
          stop()
          return
        }
        out.push(chunk)
        outBytes += chunk.length
      })
      ch.stderr.on('data', (chunk: Buffer) => {
        if (errBytes >= MAX_STDERR) return
        err.push(chunk.subarray(0, MAX_STDERR - errBytes))
        errBytes += Math.min(chunk.length, MAX_STDERR - errBytes)
      })
      ch.on('exit', (c: number | null) => {
        code = typeof c === 'number' ? c : null
      })
      ch.on('close', finish)
    })
  })
}
