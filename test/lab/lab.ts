/**
 * A lab fleet of simulated terminals: each a real OpenSSH sshd on its own loopback address, with its own host key and
 * its own view of /etc/eigyo, /etc/hostname, /etc/machine-id and a clean /root, in private mount, UTS and PID
 * namespaces. Root only. `stop()` kills exactly the process groups it started. A terminal with `windows` set answers
 * like a Windows PC: its account's login shell (a private /etc/passwd in its namespace) is a stand-in cmd.exe or
 * powershell.exe, and a stand-in powershell.exe on its PATH checks the encoded command (see `windowsShims`).
 *
 * Used by the e2e tests and by bench/collect.ts; it never touches the host's own sshd or its files, except that it
 * creates the empty mount point /etc/eigyo and sshd's privilege-separation directory /run/sshd when they are missing.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {randomBytes, randomInt} from 'node:crypto'
import {closeSync, existsSync, openSync, readFileSync, rmSync} from 'node:fs'
import {chmod, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {WINDOWS_SCRIPT} from '../../src/facts/probes/index.js'
import type {ClientFacts, Terminal} from '../../src/model/types.js'
import {
  defaultConf,
  fingerprint,
  keygen,
  knownHostsLines,
  NS_SCRIPT,
  pool,
  run,
  sshdConfig,
  windowsShims,
} from './lab-files.js'
import {type RecordedEncoding, windowsOutput} from './windows-output.js'
import {childPids, processesMentioning, procCpuMs, waitForBanner} from './lab-procs.js'

/** The client's setting a lab terminal reports (the default terminal.conf is built from it). */
export type LabClient = ClientFacts

/** One simulated terminal. */
export interface LabTerminalSpec {
  id: string
  /** Hostname of its UTS namespace and /etc/hostname; default the id, lowercased. */
  hostname?: string
  /**
   * `up`: sshd; `down`: nothing listens (connection refused); `hung`: accepts TCP, never sends a banner; `slam`:
   * accepts and closes at once (reset); `garbage`: answers like a web server, not SSH.
   */
  mode?: 'up' | 'down' | 'hung' | 'slam' | 'garbage'
  /** Default 22 (each terminal has its own address). */
  port?: number
  /** terminal.conf bytes; `null`: the file is missing; `{fifo: true}`: a FIFO nobody writes (reading blocks forever). */
  conf?: string | Buffer | null | {fifo: true}
  /** Setting used for the default terminal.conf. */
  client?: Partial<LabClient>
  machineId?: string
  /** More files in the terminal's /etc/eigyo, by name. */
  eigyoFiles?: Record<string, string | Buffer>
  /** How the lab's known_hosts lists the terminal. Default `known`. */
  hostKey?: 'known' | 'hashed' | 'unknown' | 'changed' | 'revoked'
  /** `other`: authorized_keys holds a stranger's key, so the lab client key fails. */
  clientKey?: 'lab' | 'other'
  /** Overrides for the declared terminal the lab hands to the collector. */
  declared?: Partial<Terminal>
  /**
   * A Windows PC: root's login shell becomes a stand-in `cmd.exe` (default) or `powershell.exe`, and a stand-in
   * `powershell.exe` on PATH checks that it was sent exactly the `windows` profile's script, then answers with the
   * recorded output of this terminal's setting in `encoding` as `ps` writes it (or with `answer`, bytes as given).
   */
  windows?: {
    shell?: 'cmd' | 'powershell'
    encoding?: RecordedEncoding
    ps?: '5.1' | '7'
    ascii?: boolean
    answer?: Buffer
  }
}

/** A started terminal. */
export interface LabTerminal {
  spec: LabTerminalSpec
  address: string
  port: number
  /** The host key fingerprint, `SHA256:` form. */
  fingerprint: string
  /** `ssh-ed25519 AAAA…` */
  publicKey: string
  client: LabClient
  machineId: string
  hostname: string
  /** Process group (the unshare process) for `up` terminals while running. */
  pgid?: number
}

export interface LabSpec {
  terminals: LabTerminalSpec[]
  /** Parallel start-ups; default 16. */
  startConcurrency?: number
  sshdPath?: string
  /** Keep the lab directory after stop (for debugging). */
  keep?: boolean
}

export interface Lab {
  dir: string
  /** The lab's client private key (unencrypted). */
  clientKeyPath: string
  /** The same key, encrypted with `passphrase`. */
  encryptedClientKeyPath: string
  passphrase: string
  knownHostsPath: string
  terminals: Map<string, LabTerminal>
  /** Declared terminals (inventory form) for all or some lab terminals. */
  declared(ids?: string[]): Terminal[]
  /** Kills one terminal's sshd (a terminal switched off). */
  stopTerminal(id: string): Promise<void>
  /** Starts an ssh-agent holding the lab client key; returns its socket path. Stopped with the lab. */
  startAgent(): Promise<string>
  /** CPU time (ms) used by all lab sshd processes and their reaped session children so far. */
  serverCpuMs(): number
  /** PIDs of live processes whose command line names the lab directory (should be none after stop). */
  leftovers(): number[]
  /** sshd's log for one terminal. */
  log(id: string): string
  stop(): Promise<void>
}

const SSHD = '/usr/sbin/sshd'

/** Fails with a clear message when the lab cannot run here; never a silent skip. */
export function assertLabPrerequisites(sshdPath = SSHD): void {
  const problems: string[] = []
  if (process.getuid?.() !== 0) problems.push('the SSH lab needs root (private mount namespaces and bind mounts)')
  if (!existsSync(sshdPath))
    problems.push(`${sshdPath} not found: install openssh-server (apt-get install -y openssh-server)`)
  for (const tool of ['/usr/bin/unshare', '/usr/bin/ssh-keygen'])
    if (!existsSync(tool)) problems.push(`${tool} not found (util-linux / openssh-client)`)
  if (problems.length > 0) throw new Error(`SSH lab unavailable:\n  ${problems.join('\n  ')}`)
}

/** Starts a lab fleet; on any failure everything already started is stopped again. */
export async function startLab(spec: LabSpec): Promise<Lab> {
  const sshdPath = spec.sshdPath ?? SSHD
  assertLabPrerequisites(sshdPath)
  const ids = new Set<string>()
  for (const t of spec.terminals) {
    if (ids.has(t.id)) throw new Error(`lab: duplicate terminal id ${t.id}`)
    ids.add(t.id)
  }
  if (!existsSync('/run/sshd')) await mkdir('/run/sshd', {recursive: true, mode: 0o755})
  if (!existsSync('/etc/eigyo')) await mkdir('/etc/eigyo', {recursive: true, mode: 0o755})
  const dir = await mkdtemp(join(tmpdir(), 'fleet-lab-'))
  const children = new Map<string, ChildProcess>()
  const hung: Array<{server: Server; sockets: Set<Socket>}> = []
  const agents: ChildProcess[] = []
  const terminals = new Map<string, LabTerminal>()
  const passphrase = randomBytes(9).toString('base64')
  // A random 127.a.b.0/24 block per lab, so parallel labs of other engineers do not collide.
  const a = randomInt(100, 250)
  const b0 = randomInt(0, 200)

  const killGroup = async (id: string): Promise<void> => {
    const child = children.get(id)
    if (!child) return
    children.delete(id)
    const t = terminals.get(id)
    if (t) delete t.pgid
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
    }, 2000)
    await exited
    clearTimeout(timer)
  }

  // Last resort if the test runner exits without calling stop(): kill our groups synchronously on the way out.
  const onExit = (): void => {
    for (const child of children.values()) {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
    }
    if (!spec.keep) rmSync(dir, {recursive: true, force: true})
  }
  process.once('exit', onExit)

  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit)
    await Promise.all([...children.keys()].map((id) => killGroup(id)))
    for (const h of hung) {
      for (const s of h.sockets) s.destroy()
      await new Promise<void>((resolve) => h.server.close(() => resolve()))
    }
    hung.length = 0
    for (const ag of agents) {
      if (ag.exitCode === null && ag.signalCode === null) {
        const exited = new Promise<void>((resolve) => ag.once('exit', () => resolve()))
        ag.kill('SIGTERM')
        await exited
      }
    }
    agents.length = 0
    if (!spec.keep) await rm(dir, {recursive: true, force: true})
  }

  try {
    const clientKeyPath = join(dir, 'client_ed25519')
    const encryptedClientKeyPath = join(dir, 'client_ed25519_encrypted')
    const clientPub = await keygen(clientKeyPath, 'fleet-audit-lab-client')
    await run('cp', [clientKeyPath, encryptedClientKeyPath])
    await run('ssh-keygen', ['-q', '-p', '-N', passphrase, '-f', encryptedClientKeyPath])
    const strangerPub = await keygen(join(dir, 'stranger_ed25519'), 'stranger')
    const decoyPub = await keygen(join(dir, 'decoy_host_ed25519'), 'decoy-host')
    const knownLines: string[] = []

    const prepare = async (t: LabTerminalSpec, index: number): Promise<void> => {
      const address = `127.${a}.${b0 + Math.floor(index / 250)}.${1 + (index % 250)}`
      const port = t.port ?? 22
      const tdir = join(dir, 't', t.id)
      await mkdir(join(tdir, 'eigyo'), {recursive: true})
      await mkdir(join(tdir, 'home'), {recursive: true, mode: 0o700})
      const hostname = t.hostname ?? t.id.toLowerCase()
      const machineId = t.machineId ?? randomBytes(16).toString('hex')
      const client: LabClient = {
        terminal_id: t.id,
        role: 'retail',
        auth: 'idcard',
        serial: `SN-${t.id}`,
        macs: [
          `02:00:${index
            .toString(16)
            .padStart(8, '0')
            .replace(/(..)(?!$)/g, '$1:')}`,
        ],
        ips: [address],
        ...t.client,
      }
      const publicKey = await keygen(join(tdir, 'ssh_host_ed25519_key'), `lab-${t.id}`)
      const fp = await fingerprint(join(tdir, 'ssh_host_ed25519_key.pub'))
      await writeFile(join(tdir, 'hostname'), `${hostname}\n`)
      await writeFile(join(tdir, 'machine-id'), `${machineId}\n`)
      const conf = t.conf === undefined ? defaultConf(client) : t.conf
      const confPath = join(tdir, 'eigyo', 'terminal.conf')
      if (conf !== null && typeof conf === 'object' && !Buffer.isBuffer(conf)) await run('mkfifo', [confPath])
      else if (conf !== null) await writeFile(confPath, conf)
      for (const [name, body] of Object.entries(t.eigyoFiles ?? {})) await writeFile(join(tdir, 'eigyo', name), body)
      await writeFile(join(tdir, 'authorized_keys'), `${t.clientKey === 'other' ? strangerPub : clientPub}\n`)
      await chmod(join(tdir, 'authorized_keys'), 0o600)
      if (t.windows) await prepareWindows(tdir, t, {client, hostname, machineId})
      await writeFile(join(tdir, 'sshd_config'), sshdConfig(tdir, address, port, t.windows !== undefined))
      const name = port === 22 ? address : `[${address}]:${port}`
      const [type, b64] = publicKey.split(' ')
      knownLines.push(...knownHostsLines(name, `${type} ${b64}`, t.hostKey ?? 'known', decoyPub))
      terminals.set(t.id, {
        spec: t,
        address,
        port,
        fingerprint: fp,
        publicKey: `${type} ${b64}`,
        client,
        machineId,
        hostname,
      })
    }

    const start = async (t: LabTerminalSpec): Promise<void> => {
      const lt = terminals.get(t.id)!
      const mode = t.mode ?? 'up'
      if (mode === 'down') return
      if (mode === 'hung' || mode === 'slam' || mode === 'garbage') {
        const sockets = new Set<Socket>()
        const server = createServer((s) => {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => {})
          if (mode === 'slam') s.resetAndDestroy()
          if (mode === 'garbage') s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
        })
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject)
          server.listen(lt.port, lt.address, () => resolve())
        })
        hung.push({server, sockets})
        return
      }
      const tdir = join(dir, 't', t.id)
      const logFd = openSync(join(tdir, 'sshd.log'), 'a')
      const child = spawn(
        '/usr/bin/unshare',
        [
          '--mount',
          '--uts',
          '--pid',
          '--fork',
          '--kill-child',
          '--propagation',
          'private',
          '/bin/sh',
          '-c',
          NS_SCRIPT,
          'lab-ns',
          tdir,
          sshdPath,
        ],
        // detached: its own process group, so stop() can signal exactly this group.
        {detached: true, stdio: ['ignore', logFd, logFd]},
      )
      closeSync(logFd)
      children.set(t.id, child)
      lt.pgid = child.pid
      child.on('error', () => {})
      await waitForBanner(lt.address, lt.port, 15_000, child).catch(async (error: Error) => {
        const log = await readFile(join(tdir, 'sshd.log'), 'utf8').catch(() => '')
        throw new Error(`${error.message}\n${log.split('\n').slice(-10).join('\n')}`)
      })
    }

    const concurrency = spec.startConcurrency ?? 16
    await pool(
      spec.terminals.map((t, i) => ({t, i})),
      concurrency,
      ({t, i}) => prepare(t, i),
    )
    await writeFile(join(dir, 'known_hosts'), `${knownLines.join('\n')}\n`)
    await pool(spec.terminals, concurrency, start)

    const lab: Lab = {
      dir,
      clientKeyPath,
      encryptedClientKeyPath,
      passphrase,
      knownHostsPath: join(dir, 'known_hosts'),
      terminals,
      declared(only) {
        return (only ?? [...terminals.keys()]).map((id) => {
          const lt = terminals.get(id)
          if (!lt) throw new Error(`lab: no terminal ${id}`)
          return {
            id,
            hostname: lt.hostname,
            address: lt.port === 22 ? lt.address : `${lt.address}:${lt.port}`,
            site: 'lab-site',
            zone: 'lab-zone',
            owner: 'lab-co',
            role: lt.client.role,
            status: 'active',
            auth: lt.client.auth,
            serial: lt.client.serial,
            macs: lt.client.macs,
            tags: [],
            ssh: {user: 'root', profile: lt.spec.windows ? 'windows' : 'linux'},
            source: {file: 'test/lab', line: 1, column: 1},
            fieldSources: {},
            ...lt.spec.declared,
          } satisfies Terminal
        })
      },
      stopTerminal: killGroup,
      async startAgent() {
        const sock = join(dir, `agent-${agents.length}.sock`)
        const agent = spawn('ssh-agent', ['-D', '-a', sock], {stdio: 'ignore'})
        agents.push(agent)
        const until = Date.now() + 5000
        while (!existsSync(sock)) {
          if (Date.now() > until) throw new Error('ssh-agent did not start')
          await new Promise((r) => setTimeout(r, 20))
        }
        await run('ssh-add', ['-q', clientKeyPath], {env: {...process.env, SSH_AUTH_SOCK: sock}})
        return sock
      },
      serverCpuMs() {
        let total = 0
        for (const child of children.values()) for (const pid of childPids(child.pid!)) total += procCpuMs(pid)
        return total
      },
      leftovers() {
        return processesMentioning(dir)
      },
      log(id) {
        try {
          return readFileSync(join(dir, 't', id, 'sshd.log'), 'utf8')
        } catch {
          return ''
        }
      },
      stop,
    }
    return lab
  } catch (error) {
    await stop()
    throw error
  }
}

/** The GUID form of a 32-hex machine id, as Windows keeps MachineGuid. */
export function guidOf(machineId: string): string {
  return machineId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')
}

/** The stand-ins, the expected script, the recorded answer and the passwd that makes a stand-in the login shell. */
async function prepareWindows(
  tdir: string,
  t: LabTerminalSpec,
  m: {client: LabClient; hostname: string; machineId: string},
): Promise<void> {
  const w = t.windows!
  await mkdir(join(tdir, 'bin'), {recursive: true})
  const shims = windowsShims(tdir)
  await writeFile(join(tdir, 'bin', 'cmd.exe'), shims.cmd, {mode: 0o755})
  await writeFile(join(tdir, 'bin', 'powershell.exe'), shims.powershell, {mode: 0o755})
  await writeFile(join(tdir, 'expected.ps1'), WINDOWS_SCRIPT)
  const answer =
    w.answer ??
    windowsOutput(
      {client: m.client, hostname: m.hostname, machineGuid: guidOf(m.machineId), biosSerial: `BIOS-${t.id}`},
      {encoding: w.encoding ?? 'utf-8', ps: w.ps ?? '5.1', ascii: w.ascii ?? false},
    )
  await writeFile(join(tdir, 'answer.bin'), answer)
  const shell = join(tdir, 'bin', w.shell === 'powershell' ? 'powershell.exe' : 'cmd.exe')
  const passwd = (await readFile('/etc/passwd', 'utf8')).replace(
    /^root:([^:\n]*:){5}[^:\n]*$/m,
    (line) => `${line.slice(0, line.lastIndexOf(':'))}:${shell}`,
  )
  await writeFile(join(tdir, 'passwd'), passwd)
}
