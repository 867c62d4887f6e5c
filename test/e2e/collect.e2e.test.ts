/**
 * Collection against a real OpenSSH fleet on loopback (test/lab): every outcome class, the host-key rules,
 * accept-new, agent and encrypted-key authentication, deadline and abort. Root and sshd are required: without them
 * the suite fails with the lab's message, it is never skipped.
 */
import {execFileSync} from 'node:child_process'
import {copyFileSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collect, type CollectOptions, writeFactsDir} from '../../src/collect/index.js'
import {profileFromData, type ProbeProfile} from '../../src/facts/probes/index.js'
import type {Facts, Outcome, Terminal} from '../../src/model/types.js'
import {assertLabPrerequisites, type Lab, startLab} from '../lab/lab.js'
import {failureFleet, incidentFleet} from '../lab/scenarios.js'
import {factsSchemaErrors, removeTempDirs, tempDir} from '../unit/collect/helpers.js'

let lab: Lab
let declared: Map<string, Terminal>
let opts: CollectOptions
const now = (): Date => new Date()

beforeAll(async () => {
  lab = await startLab({terminals: [...failureFleet(), ...incidentFleet()]})
  await lab.stopTerminal('STOPPED')
  const fp = (id: string): string => lab.terminals.get(id)!.fingerprint
  declared = new Map(lab.declared().map((t) => [t.id, t]))
  declared.get('PINNED')!.ssh.host_key = fp('PINNED')
  declared.get('PIN-WRONG')!.ssh.host_key = fp('NW-OK')
  declared.get('PIN-KH-DISAGREE')!.ssh.host_key = fp('PIN-KH-DISAGREE')
  opts = {
    profiles: {
      'eigyo-v2': profileFromData({
        name: 'eigyo-v2',
        base: 'linux',
        paths: {conf: '/etc/eigyo/v2.conf'},
      }) as ProbeProfile,
    },
    knownHostsPath: lab.knownHostsPath,
    privateKeyPath: lab.clientKeyPath,
    connectTimeoutMs: 2000,
    commandTimeoutMs: 2000,
    backoffMs: 100,
  }
})

afterAll(async () => {
  const groups = lab ? [...lab.terminals.values()].map((t) => t.pgid).filter((p): p is number => p !== undefined) : []
  await lab?.stop()
  // stop() must leave nothing behind: every process group it started is gone, and nothing runs from the lab folder.
  for (const pgid of groups) expect(() => process.kill(-pgid, 0)).toThrow()
  if (lab) expect(lab.leftovers()).toEqual([])
})

const pick = (...ids: string[]): Terminal[] => ids.map((id) => declared.get(id)!)

describe('collect on the lab fleet', () => {
  let facts: Map<string, Facts>
  let elapsed: number

  beforeAll(async () => {
    const t0 = Date.now()
    const incidents = new Set(incidentFleet().map((t) => t.id))
    const r = await collect(
      [...declared.values()].filter((t) => !incidents.has(t.id)),
      opts,
      {now},
    )
    elapsed = Date.now() - t0
    facts = new Map(r.facts.map((f) => [f.terminal, f]))
  })

  it.each([
    ['NW-OK', 'ok'],
    ['RT-OK', 'ok'],
    ['PINNED', 'ok'],
    ['PIN-WRONG', 'hostkey-changed'],
    ['PIN-KH-DISAGREE', 'hostkey-changed'],
    ['DOWN', 'refused'],
    ['UNRESOLVED', 'unresolved'],
    ['STOPPED', 'refused'],
    ['HUNG', 'timeout'],
    ['SLAM', 'refused'],
    ['GARBAGE', 'refused'],
    ['WRONG-KEY', 'auth'],
    ['UNKNOWN', 'hostkey-unknown'],
    ['CHANGED', 'hostkey-changed'],
    ['REVOKED', 'hostkey-changed'],
    ['HUGE', 'output-invalid'],
    ['ESCAPE', 'output-invalid'],
    ['REPEATED', 'output-invalid'],
    ['ROLE-SPACE', 'output-invalid'],
    ['ROLE-KIOSK', 'output-invalid'],
    ['MISSING', 'probe-failed'],
    ['MOVED-CONF', 'ok'],
    ['STUCK', 'timeout'],
    ['ROLE-MISMATCH', 'ok'],
    ['AUTH-MISMATCH', 'ok'],
    ['SWAPPED', 'ok'],
  ] as Array<[string, Outcome]>)('%s → %s, and the facts validate against the schema', (id, outcome) => {
    const f = facts.get(id)!
    expect(f.outcome, JSON.stringify(f.error)).toBe(outcome)
    expect(factsSchemaErrors(f)).toBe('')
  })

  it('finishes well within the per-terminal limits (hung and stuck terminals do not stall the rest)', () => {
    expect(elapsed).toBeLessThan(10_000)
  })

  it('reads what the terminal says about itself', () => {
    const nw = facts.get('NW-OK')!
    const lt = lab.terminals.get('NW-OK')!
    expect(nw).toMatchObject({
      host_key: lt.fingerprint,
      client: {
        terminal_id: 'NW-OK',
        role: 'nw',
        auth: 'idcard',
        serial: 'SN-NW-OK',
        macs: lt.client.macs,
        ips: [lt.address],
      },
      os: {hostname: 'nw-ok', machine_id: lt.machineId, name: expect.stringMatching(/\S/)},
      host_key_via: 'known_hosts',
      meta: {attempts: 1},
    })
    expect(facts.get('RT-OK')!.meta).toMatchObject({address: `${lab.terminals.get('RT-OK')!.address}:2222`})
    expect(facts.get('PINNED')).toMatchObject({host_key_via: 'pin'})
  })

  it('reports the mismatches as facts for the audit to judge', () => {
    expect(facts.get('ROLE-MISMATCH')!.client?.role).toBe('nw')
    expect(declared.get('ROLE-MISMATCH')!.role).toBe('retail')
    expect(facts.get('AUTH-MISMATCH')!.client?.auth).toBe('device')
    expect(facts.get('SWAPPED')).toMatchObject({
      client: {terminal_id: 'NW-OK', serial: 'SN-NW-OK'},
      os: {hostname: 'nw-ok'},
    })
    expect(declared.get('SWAPPED')).toMatchObject({hostname: 'swapped', serial: 'SN-SWAPPED'})
  })

  it('explains host key failures with expected and presented fingerprints', () => {
    const changed = facts.get('CHANGED')!
    expect(changed.host_key).toBe(lab.terminals.get('CHANGED')!.fingerprint)
    expect(changed.error?.reason).toMatch(
      /^host key differs from known_hosts: expected SHA256:\S+, presented SHA256:\S+$/,
    )
    expect(facts.get('PIN-WRONG')!.error?.reason).toBe(
      `host key differs from the pinned fingerprint: expected ${lab.terminals.get('NW-OK')!.fingerprint}, presented ${lab.terminals.get('PIN-WRONG')!.fingerprint}`,
    )
    expect(facts.get('REVOKED')!.error?.reason).toContain('@revoked')
    expect(facts.get('UNKNOWN')!.host_key).toBe(lab.terminals.get('UNKNOWN')!.fingerprint)
  })

  it('retried refused and reset connections, and nothing else', () => {
    expect(facts.get('DOWN')!.meta?.attempts).toBe(3)
    expect(facts.get('SLAM')!.meta?.attempts).toBe(3)
    expect(facts.get('SLAM')!.error?.reason).toBe('connection reset by peer')
    // A peer that closes after non-SSH text looks like a reset to the client: retried, then refused.
    expect(facts.get('GARBAGE')!.error?.reason).toBe('connection closed by peer before the session was ready')
    expect(facts.get('WRONG-KEY')!.meta?.attempts).toBe(1)
    expect(facts.get('HUNG')!.meta?.attempts).toBe(1)
  })

  it('keeps offending raw values escaped', () => {
    expect(facts.get('ESCAPE')!.error).toEqual({
      reason: '/etc/eigyo/terminal.conf line 2: control character',
      raw: 'role=retail\\u001b[1A\\u001b[2Knw',
    })
    expect(facts.get('ROLE-SPACE')!.error).toEqual({
      reason: '/etc/eigyo/terminal.conf: role must be one of nw|retail',
      raw: 'NW ',
    })
    expect(facts.get('REPEATED')!.error?.reason).toContain('role repeated')
    expect(facts.get('HUGE')!.error?.reason).toBe('output exceeds 1048576 bytes; reading stopped')
    expect(facts.get('MISSING')!.error?.reason).toBe('/etc/eigyo/terminal.conf is missing')
    expect(facts.get('STUCK')!.error?.reason).toBe('probe command did not finish (limit 2000 ms)')
  })

  it('writes the facts folder that audit --facts reads', async () => {
    const dir = tempDir('fa-e2e-facts-')
    await writeFactsDir(dir, [...facts.values()])
    expect(readdirSync(dir).sort()).toEqual([...facts.keys()].map((id) => `${id}.json`).sort())
    const text = readFileSync(join(dir, 'ESCAPE.json'), 'utf8')
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/)
  })
})

describe('host keys and accept-new', () => {
  it('adds a new host only with acceptNew, in a form OpenSSH reads; a changed key is never added', async () => {
    const kh = join(tempDir('fa-e2e-kh-'), 'known_hosts')
    copyFileSync(lab.knownHostsPath, kh)
    const before = readFileSync(kh, 'utf8')
    const r1 = await collect(pick('UNKNOWN', 'CHANGED'), {...opts, knownHostsPath: kh, acceptNew: true}, {now})
    expect(r1.facts.map((f) => f.outcome)).toEqual(['ok', 'hostkey-changed'])
    const after = readFileSync(kh, 'utf8')
    expect(after.startsWith(before)).toBe(true)
    const added = after.slice(before.length)
    expect(added.trim().split('\n')).toHaveLength(1)
    const lt = lab.terminals.get('UNKNOWN')!
    // OpenSSH itself finds the appended line.
    const found = execFileSync('ssh-keygen', ['-F', lt.address, '-f', kh], {encoding: 'utf8'})
    expect(found).toContain(lt.publicKey)
    expect(added).toContain(' fleet-audit-accepted-new ')
    // Later runs find the key in known_hosts, but it stays "accepted on first use" (a medium finding) ...
    const r2 = await collect(pick('UNKNOWN'), {...opts, knownHostsPath: kh}, {now})
    expect(r2.facts[0]).toMatchObject({outcome: 'ok', host_key_via: 'accept-new'})
    // ... until it is pinned in the inventory.
    const pinned = pick('UNKNOWN').map((t) => ({...t, ssh: {...t.ssh, host_key: lt.fingerprint}}))
    const r3 = await collect(pinned, {...opts, knownHostsPath: kh}, {now})
    expect(r3.facts[0]).toMatchObject({outcome: 'ok', host_key_via: 'pin'})
  })

  it('writes hashed lines when asked', async () => {
    const kh = join(tempDir('fa-e2e-kh-'), 'known_hosts')
    const r = await collect(pick('RT-OK'), {...opts, knownHostsPath: kh, acceptNew: true, hashKnownHosts: true}, {now})
    expect(r.facts[0].outcome).toBe('ok')
    expect(readFileSync(kh, 'utf8')).toMatch(/^\|1\|/)
    const lt = lab.terminals.get('RT-OK')!
    expect(execFileSync('ssh-keygen', ['-F', `[${lt.address}]:2222`, '-f', kh], {encoding: 'utf8'})).toContain('found')
  })
})

describe('authentication', () => {
  it('authenticates through ssh-agent', async () => {
    const agent = await lab.startAgent()
    const r = await collect(pick('NW-OK', 'WRONG-KEY'), {...opts, privateKeyPath: undefined, agent}, {now})
    expect(r.facts.map((f) => f.outcome)).toEqual(['ok', 'auth'])
  })

  it('uses an encrypted key with the passphrase from the named environment variable, and never echoes it', async () => {
    const env = {FA_E2E_PASS: lab.passphrase}
    const r = await collect(
      pick('NW-OK'),
      {...opts, privateKeyPath: lab.encryptedClientKeyPath, passphraseEnv: 'FA_E2E_PASS'},
      {now, env},
    )
    expect(r.facts[0].outcome).toBe('ok')
    expect(JSON.stringify(r)).not.toContain(lab.passphrase)
  })
})

describe('deadline and abort', () => {
  it('an overall deadline turns stuck terminals into timeouts and keeps the finished ones', async () => {
    const t0 = Date.now()
    const r = await collect(
      pick('NW-OK', 'STUCK', 'HUNG', 'RT-OK'),
      {...opts, connectTimeoutMs: 10_000, commandTimeoutMs: 10_000, deadlineMs: 1500},
      {now},
    )
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(r.facts.map((f) => [f.terminal, f.outcome])).toEqual([
      ['NW-OK', 'ok'],
      ['STUCK', 'timeout'],
      ['HUNG', 'timeout'],
      ['RT-OK', 'ok'],
    ])
  })

  it('an abort (Ctrl-C) returns what was collected and lists the rest', async () => {
    const ac = new AbortController()
    const t0 = Date.now()
    const r = await collect(
      pick('NW-OK', 'STUCK', 'HUNG'),
      {...opts, connectTimeoutMs: 10_000, commandTimeoutMs: 10_000, signal: ac.signal},
      {
        now,
        onProgress: (p) => {
          if (p.terminal === 'NW-OK') setTimeout(() => ac.abort(), 300)
        },
      },
    )
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(r.aborted).toBe(true)
    expect(r.facts.map((f) => f.terminal)).toEqual(['NW-OK'])
    expect(r.skipped).toEqual(['STUCK', 'HUNG'])
  })
})

describe('the lab itself', () => {
  it('fails with a clear message, never skips, when sshd is missing', () => {
    expect(() => assertLabPrerequisites('/nonexistent/sbin/sshd')).toThrow(/sshd not found: install openssh-server/)
  })

  it('agrees with the OpenSSH client: its known_hosts and client key work with ssh', () => {
    const lt = lab.terminals.get('RT-OK')!
    const out = execFileSync(
      'ssh',
      [
        '-F',
        '/dev/null',
        '-i',
        lab.clientKeyPath,
        '-o',
        'BatchMode=yes',
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        `UserKnownHostsFile=${lab.knownHostsPath}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'KexAlgorithms=curve25519-sha256',
        '-p',
        String(lt.port),
        `root@${lt.address}`,
        'hostname; cat /etc/eigyo/terminal.conf; echo "HOME=$HOME"; ls -A ~',
      ],
      {encoding: 'utf8'},
    )
    expect(out).toContain('rt-ok\n# /etc/eigyo/terminal.conf (fleet-audit lab)\nterminal_id=RT-OK\n')
    // A clean home: no start-up files of the host's root account (its .bashrc runs pyenv, ~150 ms per command).
    expect(out).toMatch(/HOME=\/root\n$/)
  })
})

describe('seed incidents, as collection sees them', () => {
  it('reads the NW setting on terminals delivered to or placed where retail staff work', async () => {
    const ids = incidentFleet().map((t) => t.id)
    const r = await collect(pick(...ids), opts, {now})
    expect(r.facts.map((f) => [f.terminal, f.outcome, f.client?.role])).toEqual(ids.map((id) => [id, 'ok', 'nw']))
    expect(pick('IWATE-TEMP-01', 'SENDAI-KITA-TEMP-01').map((t) => t.role)).toEqual(['retail', 'retail'])
    for (const f of r.facts) expect(factsSchemaErrors(f)).toBe('')
  })
})

afterAll(removeTempDirs)
