import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {utils} from 'ssh2'
import {afterAll, describe, expect, it} from 'vitest'

import {collect, CollectInputError, fingerprintOf, TransportError} from '../../../src/collect/index.js'
import type {CollectOptions, Session, Transport} from '../../../src/collect/index.js'
import type {ProbeProfile} from '../../../src/facts/probes/index.js'
import {loadCredentials} from '../../../src/collect/credentials.js'
import {formatProblem, InputError} from '../../../src/model/errors.js'
import {factsSchemaErrors, removeTempDirs, tempDir, linuxOutput, terminal} from './helpers.js'

const KEY = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIKNF1C6+l8E0rj5M9ECsflycxnmnSqBWNJF4Thp4oxMx', 'base64')
const NOW = new Date('2026-11-27T01:02:03.000Z')

type Step = {fail: TransportError['kind']} | {stdout?: Buffer; delayMs?: number; overflow?: boolean; key?: Buffer}

/** A transport that plays a script per host: one step per attempt, the last step repeating. */
function fakeTransport(script: Record<string, Step[]>): Transport & {calls: string[]; maxInFlight: number} {
  let inFlight = 0
  const t = {
    calls: [] as string[],
    maxInFlight: 0,
    async open(target, _auth, options) {
      t.calls.push(target.host)
      const steps = script[target.host]
      const n = t.calls.filter((h) => h === target.host).length
      const step = steps[Math.min(n, steps.length) - 1]
      if ('fail' in step) throw new TransportError(step.fail, step.fail)
      if (!options.verifyHostKey(step.key ?? KEY)) throw new TransportError('hostkey', 'host key refused')
      inFlight++
      t.maxInFlight = Math.max(t.maxInFlight, inFlight)
      const session: Session = {
        exec: (_cmd, eo) =>
          new Promise((resolve) => {
            const done = (r: {timedOut?: boolean; aborted?: boolean}): void =>
              resolve({
                stdout: step.stdout ?? linuxOutput({}),
                stderr: Buffer.alloc(0),
                code: 0,
                overflow: step.overflow ?? false,
                timedOut: r.timedOut ?? false,
                aborted: r.aborted ?? false,
              })
            const timer = setTimeout(() => done({}), step.delayMs ?? 1)
            const cmdTimer = setTimeout(() => {
              clearTimeout(timer)
              done({timedOut: true})
            }, eo.timeoutMs)
            eo.signal?.addEventListener('abort', () => {
              clearTimeout(timer)
              clearTimeout(cmdTimer)
              done({aborted: true})
            })
            void cmdTimer
          }),
        close: () => {
          inFlight--
        },
      }
      return session
    },
  } satisfies Transport & {calls: string[]; maxInFlight: number}
  return t
}

const base: CollectOptions = {agent: '/nonexistent/agent.sock', backoffMs: 5}
const hosts = (...ids: string[]) => ids.map((id) => terminal(id, {address: id.toLowerCase()}))

describe('collect with a scripted transport', () => {
  it('retries refused and reset with backoff, then records the class', async () => {
    const tr = fakeTransport({a: [{fail: 'refused'}], b: [{fail: 'reset'}, {}]})
    const r = await collect(hosts('A', 'B'), {...base, acceptNew: true}, {now: () => NOW, transport: tr})
    expect(r.facts.map((f) => [f.terminal, f.outcome, f.meta?.attempts])).toEqual([
      ['A', 'refused', 3],
      ['B', 'ok', 2],
    ])
    expect(tr.calls.filter((h) => h === 'a')).toHaveLength(3)
  })

  it.each([
    ['auth', 'auth'],
    ['timeout', 'timeout'],
    ['unreachable', 'refused'],
    ['protocol', 'refused'],
  ] as const)('never retries %s (outcome %s)', async (kind, outcome) => {
    const tr = fakeTransport({a: [{fail: kind}]})
    const r = await collect(hosts('A'), base, {now: () => NOW, transport: tr})
    expect(r.facts[0]).toMatchObject({outcome, meta: {attempts: 1}})
    expect(tr.calls).toHaveLength(1)
  })

  it('does not collect from an unknown host key, and reports the presented key', async () => {
    const tr = fakeTransport({a: [{}]})
    const r = await collect(hosts('A'), base, {now: () => NOW, transport: tr})
    expect(r.facts[0]).toMatchObject({outcome: 'hostkey-unknown', host_key: fingerprintOf(KEY), meta: {attempts: 1}})
    expect(r.facts[0].error?.reason).toContain(fingerprintOf(KEY))
  })

  it('collects with a pinned key and writes facts that validate against the schema', async () => {
    const tr = fakeTransport({a: [{}]})
    const r = await collect([terminal('A', {address: 'a', ssh: {user: 'root', host_key: fingerprintOf(KEY)}})], base, {
      now: () => NOW,
      transport: tr,
    })
    expect(r.facts[0]).toMatchObject({
      terminal: 'A',
      outcome: 'ok',
      collected_at: '2026-11-27T01:02:03.000Z',
      host_key: fingerprintOf(KEY),
    })
    expect(factsSchemaErrors(r.facts[0])).toBe('')
  })

  it('says which key was expected and which was presented when a pin differs', async () => {
    const tr = fakeTransport({a: [{}]})
    const pin = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    const r = await collect([terminal('A', {address: 'a', ssh: {user: 'root', host_key: pin}})], base, {
      now: () => NOW,
      transport: tr,
    })
    expect(r.facts[0].outcome).toBe('hostkey-changed')
    expect(r.facts[0].error?.reason).toBe(
      `host key differs from the pinned fingerprint: expected ${pin}, presented ${fingerprintOf(KEY)}`,
    )
  })

  it('keeps concurrency within the bound and facts in input order', async () => {
    const ids = Array.from({length: 40}, (_, i) => `T${i}`)
    const script = Object.fromEntries(ids.map((id, i) => [id.toLowerCase(), [{delayMs: (i * 7) % 13}]]))
    const tr = fakeTransport(script)
    const progress: number[] = []
    const r = await collect(
      ids.map((id) => terminal(id, {address: id.toLowerCase(), ssh: {user: 'root', host_key: fingerprintOf(KEY)}})),
      {...base, concurrency: 5},
      {now: () => NOW, transport: tr, onProgress: (p) => progress.push(p.done)},
    )
    expect(tr.maxInFlight).toBe(5)
    expect(r.facts.map((f) => f.terminal)).toEqual(ids)
    expect(progress).toEqual(ids.map((_, i) => i + 1))
  })

  it('maps an output overflow to output-invalid', async () => {
    const tr = fakeTransport({a: [{overflow: true, stdout: Buffer.from('x'.repeat(100))}]})
    const r = await collect(
      [terminal('A', {address: 'a', ssh: {user: 'root', host_key: fingerprintOf(KEY)}})],
      {...base, maxOutputBytes: 100},
      {now: () => NOW, transport: tr},
    )
    expect(r.facts[0]).toMatchObject({
      outcome: 'output-invalid',
      error: {reason: 'output exceeds 100 bytes; reading stopped'},
    })
    expect(factsSchemaErrors(r.facts[0])).toBe('')
  })

  it('stops at the overall deadline: running terminals and unstarted ones time out', async () => {
    const pinned = (id: string) =>
      terminal(id, {address: id.toLowerCase(), ssh: {user: 'root', host_key: fingerprintOf(KEY)}})
    const tr = fakeTransport({fast: [{delayMs: 1}], slow: [{delayMs: 10_000}], late: [{}]})
    const t0 = Date.now()
    const r = await collect(
      [pinned('FAST'), pinned('SLOW'), pinned('LATE')],
      {...base, concurrency: 1, deadlineMs: 300},
      {now: () => NOW, transport: tr},
    )
    expect(Date.now() - t0).toBeLessThan(3000)
    expect(r.facts.map((f) => [f.terminal, f.outcome, f.error?.reason])).toEqual([
      ['FAST', 'ok', undefined],
      ['SLOW', 'timeout', 'probe command did not finish (overall deadline reached)'],
      ['LATE', 'timeout', 'overall deadline reached before this terminal was started'],
    ])
    for (const f of r.facts) expect(factsSchemaErrors(f)).toBe('')
  })

  it('on abort keeps what was collected and lists the rest as skipped', async () => {
    const pinned = (id: string) =>
      terminal(id, {address: id.toLowerCase(), ssh: {user: 'root', host_key: fingerprintOf(KEY)}})
    const tr = fakeTransport({a: [{delayMs: 1}], b: [{delayMs: 10_000}], c: [{}]})
    const ac = new AbortController()
    const r = await collect(
      [pinned('A'), pinned('B'), pinned('C')],
      {...base, concurrency: 1, signal: ac.signal},
      {
        now: () => NOW,
        transport: tr,
        onProgress: (p) => {
          if (p.terminal === 'A') setTimeout(() => ac.abort(), 50)
        },
      },
    )
    expect(r.aborted).toBe(true)
    expect(r.facts.map((f) => f.terminal)).toEqual(['A'])
    expect(r.skipped).toEqual(['B', 'C'])
  })

  it('uses a profile given by the caller (the mechanism a Windows profile will use)', async () => {
    const windows: ProbeProfile = {
      name: 'windows',
      description: 'test double',
      command: 'reg query HKLM\\SOFTWARE\\Eigyo\\Terminal',
      parse: () => ({ok: false, outcome: 'probe-failed', reason: 'not implemented'}),
    }
    const tr = fakeTransport({a: [{}]})
    const r = await collect(
      [terminal('A', {address: 'a', ssh: {user: 'admin', profile: 'windows', host_key: fingerprintOf(KEY)}})],
      {...base, profiles: {windows}},
      {now: () => NOW, transport: tr},
    )
    expect(r.facts[0]).toMatchObject({outcome: 'probe-failed', meta: {profile: 'windows', user: 'admin'}})
  })
})

describe('accept-new', () => {
  it('appends a new host key only when asked, then trusts it; a changed key is never accepted', async () => {
    const dir = tempDir('fa-kh-')
    const kh = join(dir, 'known_hosts')
    writeFileSync(kh, '# existing, no final newline')
    const tr = fakeTransport({a: [{}]})
    const deps = {now: () => NOW, transport: tr}
    expect((await collect(hosts('A'), {...base, knownHostsPath: kh}, deps)).facts[0].outcome).toBe('hostkey-unknown')
    expect(readFileSync(kh, 'utf8')).toBe('# existing, no final newline')
    const r = await collect(hosts('A'), {...base, knownHostsPath: kh, acceptNew: true}, deps)
    expect(r.facts[0]).toMatchObject({outcome: 'ok', host_key_via: 'accept-new'})
    expect(r.acceptedHostKeys).toEqual([{terminal: 'A', host_key: fingerprintOf(KEY)}])
    expect(readFileSync(kh, 'utf8')).toBe(
      `# existing, no final newline\na ssh-ed25519 ${KEY.toString('base64')} fleet-audit-accepted-new 2026-11-27\n`,
    )
    // Still "accepted on first use" on the next run: found in known_hosts, but only because fleet-audit put it there.
    expect((await collect(hosts('A'), {...base, knownHostsPath: kh}, deps)).facts[0]).toMatchObject({
      outcome: 'ok',
      host_key_via: 'accept-new',
    })
    // A person who compared the fingerprint removes the mark: from then on it is an ordinary known key.
    writeFileSync(kh, readFileSync(kh, 'utf8').replace(' fleet-audit-accepted-new 2026-11-27', ''))
    expect((await collect(hosts('A'), {...base, knownHostsPath: kh}, deps)).facts[0]).toMatchObject({
      outcome: 'ok',
      host_key_via: 'known_hosts',
    })
    // Pinned, it is verified by the pin whatever known_hosts says.
    writeFileSync(kh, `a ssh-ed25519 ${KEY.toString('base64')} fleet-audit-accepted-new 2026-11-27\n`)
    const pinned = [terminal('A', {address: 'a', ssh: {user: 'root', profile: 'linux', host_key: fingerprintOf(KEY)}})]
    expect((await collect(pinned, {...base, knownHostsPath: kh}, deps)).facts[0]).toMatchObject({
      outcome: 'ok',
      host_key_via: 'pin',
    })
    const before = readFileSync(kh, 'utf8')
    const other = Buffer.from(KEY)
    other[other.length - 1] ^= 1
    const changed = await collect(
      hosts('A'),
      {...base, knownHostsPath: kh, acceptNew: true},
      {now: () => NOW, transport: fakeTransport({a: [{key: other}]})},
    )
    expect(changed.facts[0].outcome).toBe('hostkey-changed')
    expect(readFileSync(kh, 'utf8')).toBe(before)
  })
})

describe('settings are checked before any connection', () => {
  it('collects every problem and opens nothing', async () => {
    const tr = fakeTransport({})
    const err = await collect(
      [
        terminal('A', {ssh: {profile: 'nope'}, fieldSources: {ssh: {file: 'inv.yaml', line: 7, column: 5}}}),
        terminal('B', {address: 'b:99999'}),
      ],
      {privateKeyPath: '/nonexistent/key', passphraseEnv: 'FA_TEST_UNSET'},
      {now: () => NOW, transport: tr, env: {}},
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CollectInputError)
    // The CLI turns every InputError into exit 2 with `file:line:column` messages.
    expect(err).toBeInstanceOf(InputError)
    expect((err as CollectInputError).problems.map((p) => formatProblem(p))).toEqual([
      'inv.yaml:7:5 terminal A: unknown probe profile "nope" (known: linux, windows) (E_COLLECT)',
      'inv.yaml:7:5 terminal A: no SSH user (set ssh.user in the inventory defaults or pass a user) (E_COLLECT)',
      'test:1:1 terminal B: bad port in address "b:99999" (E_COLLECT)',
      'private key /nonexistent/key: cannot read (ENOENT) (E_COLLECT_SETTING)',
    ])
    expect(tr.calls).toEqual([])
  })

  it('requires some credentials', async () => {
    const err = await collect(hosts('A'), {}, {now: () => NOW, transport: fakeTransport({})}).catch((e: unknown) => e)
    expect((err as CollectInputError).problems.map((p) => p.message)).toEqual([
      'no credentials: give a private key file (--identity KEY, or identity: in fleet-audit.yaml) or an ssh-agent socket (--agent SOCKET, agent: in fleet-audit.yaml, or SSH_AUTH_SOCK)',
    ])
  })

  it('refuses nonsensical limits', async () => {
    const err = await collect(
      hosts('A'),
      {...base, concurrency: 0, commandTimeoutMs: -1},
      {now: () => NOW, transport: fakeTransport({})},
    ).catch((e: unknown) => e)
    expect((err as CollectInputError).problems.map((p) => p.message)).toEqual([
      'concurrency must be a positive integer',
      'commandTimeoutMs must be positive',
    ])
  })
})

describe('credentials', () => {
  const dir = tempDir('fa-key-')
  const keyPath = join(dir, 'id_ed25519')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 's3cret pass', '-f', keyPath])

  it('decrypts an encrypted key once, from the named variable, into a key ssh2 reads without a passphrase', async () => {
    const {auth, problems} = await loadCredentials(
      {privateKeyPath: keyPath, passphraseEnv: 'FA_PASS'},
      {FA_PASS: 's3cret pass'},
    )
    expect(problems).toEqual([])
    const parsed = utils.parseKey(auth.privateKey!)
    expect(parsed).not.toBeInstanceOf(Error)
    const pub = readFileSync(`${keyPath}.pub`, 'utf8').split(' ')[1]
    expect((parsed as {getPublicSSH(): Buffer}).getPublicSSH().toString('base64')).toBe(pub)
  })

  it('never quotes the passphrase or the key in its problems', async () => {
    const wrong = await loadCredentials({privateKeyPath: keyPath, passphraseEnv: 'FA_PASS'}, {FA_PASS: 'wrong-guess'})
    expect(wrong.problems).toEqual([`private key ${keyPath}: encrypted and the passphrase is missing or wrong`])
    const unset = await loadCredentials({privateKeyPath: keyPath, passphraseEnv: 'FA_PASS'}, {})
    expect(unset.problems).toContain('passphrase variable FA_PASS is not set')
    expect(JSON.stringify([wrong, unset])).not.toMatch(/wrong-guess|OPENSSH PRIVATE KEY/)
  })
})

afterAll(removeTempDirs)
