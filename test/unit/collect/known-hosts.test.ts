import {generateKeyPairSync} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {
  fingerprintOf,
  hostLookupName,
  knownHostsLine,
  parseKnownHosts,
  verifyHostKey,
} from '../../../src/collect/index.js'

// Recorded with ssh-keygen: the key, its `ssh-keygen -l` fingerprint, and `ssh-keygen -H` lines for two hosts.
const KEY_B64 = 'AAAAC3NzaC1lZDI1NTE5AAAAIKNF1C6+l8E0rj5M9ECsflycxnmnSqBWNJF4Thp4oxMx'
const KEY = Buffer.from(KEY_B64, 'base64')
const KEY_FP = 'SHA256:zokTZoanaHGpnQwXpGYD5AezpjS4AAGplczD3Byjngk'
const HASHED = [
  `|1|3GIoUV9Cg5gVHSJXPlhK5XenJUk=|emSP/IcNZuuHIXQZGm8rHAzMV+c= ssh-ed25519 ${KEY_B64}`, // [127.0.0.5]:2222
  `|1|soXo6RkSDdp8i50k6G7Ne2jgfBY=|iNjD4Svtb7jdQHDs3D/tv+oy5Pk= ssh-ed25519 ${KEY_B64}`, // host.example
].join('\n')

function otherKey(): Buffer {
  const pub = generateKeyPairSync('ed25519').publicKey.export({format: 'jwk'})
  const raw = Buffer.from(pub.x!, 'base64url')
  const str = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b])
  return Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)])
}
const OTHER = otherKey()
const OTHER_B64 = OTHER.toString('base64')

const verify = (text: string, host: string, port = 22, presented = KEY, pin?: string) =>
  verifyHostKey({presented, host, port, knownHosts: parseKnownHosts(text), pin})

describe('fingerprints', () => {
  it('matches ssh-keygen -l (SHA256, base64 without padding)', () => {
    expect(fingerprintOf(KEY)).toBe(KEY_FP)
  })
})

describe('known_hosts parsing', () => {
  it('reads plain, hashed, bracketed and marked lines and reports bad ones', () => {
    const kh = parseKnownHosts(
      [
        '# comment',
        '',
        `host.example,10.0.0.1 ssh-ed25519 ${KEY_B64} comment words`,
        `[127.0.0.5]:2222 ssh-ed25519 ${KEY_B64}`,
        `@revoked * ssh-ed25519 ${OTHER_B64}`,
        `@cert-authority *.example ssh-ed25519 ${OTHER_B64}`,
        '@bogus x ssh-ed25519 AAAA',
        'too few',
        `mismatch ssh-rsa ${KEY_B64}`,
        HASHED,
      ].join('\n'),
    )
    expect(kh.entries.map((e) => [e.line, e.marker ?? '', e.patterns?.join(',') ?? 'hashed'])).toEqual([
      [3, '', 'host.example,10.0.0.1'],
      [4, '', '[127.0.0.5]:2222'],
      [5, 'revoked', '*'],
      [6, 'cert-authority', '*.example'],
      [10, '', 'hashed'],
      [11, '', 'hashed'],
    ])
    expect(kh.problems).toEqual([
      'line 7: unknown marker @bogus',
      'line 8: expected "hosts keytype key"',
      'line 9: key does not decode as ssh-rsa',
    ])
  })

  it('names hosts like OpenSSH: bare on port 22, [host]:port otherwise', () => {
    expect(hostLookupName('Host.Example', 22)).toBe('host.example')
    expect(hostLookupName('127.0.0.5', 2222)).toBe('[127.0.0.5]:2222')
  })
})

describe('host key verdicts', () => {
  it('accepts a plain entry, case-insensitively, and by wildcard', () => {
    expect(verify(`host.example ssh-ed25519 ${KEY_B64}`, 'HOST.example')).toEqual({status: 'ok', via: 'known_hosts'})
    expect(verify(`*.example ssh-ed25519 ${KEY_B64}`, 'a.example')).toEqual({status: 'ok', via: 'known_hosts'})
    expect(verify(`10.0.0.? ssh-ed25519 ${KEY_B64}`, '10.0.0.7')).toEqual({status: 'ok', via: 'known_hosts'})
  })

  it('honours negated patterns', () => {
    expect(verify(`*.example,!bad.example ssh-ed25519 ${KEY_B64}`, 'bad.example')).toEqual({status: 'unknown'})
  })

  it('matches hashed entries written by ssh-keygen -H, including [host]:port', () => {
    expect(verify(HASHED, 'host.example')).toEqual({status: 'ok', via: 'known_hosts'})
    expect(verify(HASHED, '127.0.0.5', 2222)).toEqual({status: 'ok', via: 'known_hosts'})
    expect(verify(HASHED, '127.0.0.5', 22)).toEqual({status: 'unknown'})
  })

  it('does not let a port-22 entry vouch for another port', () => {
    expect(verify(`127.0.0.5 ssh-ed25519 ${KEY_B64}`, '127.0.0.5', 2222)).toEqual({status: 'unknown'})
  })

  it('calls a different key for a known host a change, and lists the expected fingerprint', () => {
    const v = verify(`host.example ssh-ed25519 ${OTHER_B64}`, 'host.example')
    expect(v).toEqual({
      status: 'changed',
      reason: 'host key differs from known_hosts',
      expected: [fingerprintOf(OTHER)],
    })
  })

  it('refuses a revoked key even when another line accepts it', () => {
    const v = verify(
      `@revoked host.example ssh-ed25519 ${KEY_B64}\nhost.example ssh-ed25519 ${KEY_B64}`,
      'host.example',
    )
    expect(v).toMatchObject({status: 'changed', reason: expect.stringContaining('@revoked')})
  })

  it('ignores @cert-authority lines (certificates are not supported)', () => {
    expect(verify(`@cert-authority host.example ssh-ed25519 ${KEY_B64}`, 'host.example')).toEqual({status: 'unknown'})
  })

  describe('pins', () => {
    it('a matching pin wins over an empty known_hosts', () => {
      expect(verify('', 'h', 22, KEY, KEY_FP)).toEqual({status: 'ok', via: 'pin'})
      expect(verify('', 'h', 22, KEY, `${KEY_FP}=`)).toEqual({status: 'ok', via: 'pin'})
    })

    it('a pin that differs is a change, whatever known_hosts says', () => {
      expect(verify(`h ssh-ed25519 ${KEY_B64}`, 'h', 22, KEY, fingerprintOf(OTHER))).toEqual({
        status: 'changed',
        reason: 'host key differs from the pinned fingerprint',
        expected: [fingerprintOf(OTHER)],
      })
    })

    it('a matching pin with a disagreeing known_hosts is a change', () => {
      expect(verify(`h ssh-ed25519 ${OTHER_B64}`, 'h', 22, KEY, KEY_FP)).toMatchObject({
        status: 'changed',
        expected: [fingerprintOf(OTHER)],
      })
    })

    it('a matching pin with an agreeing known_hosts is fine', () => {
      expect(verify(`h ssh-ed25519 ${KEY_B64}`, 'h', 22, KEY, KEY_FP)).toEqual({status: 'ok', via: 'pin'})
    })
  })
})

describe('lines written for accept-new', () => {
  it('are read back by the parser, plain and hashed, still marked as accepted on first use', () => {
    for (const hash of [false, true]) {
      const line = knownHostsLine('127.0.0.9', 2200, KEY, hash, '2026-11-27')
      expect(line.startsWith(hash ? '|1|' : '[127.0.0.9]:2200 ')).toBe(true)
      expect(line.endsWith(' fleet-audit-accepted-new 2026-11-27')).toBe(true)
      expect(verify(line, '127.0.0.9', 2200)).toEqual({status: 'ok', via: 'accept-new'})
      // Once a person removes the mark, the key is an ordinary known one.
      expect(verify(line.replace(/ fleet-audit-accepted-new.*$/, ''), '127.0.0.9', 2200)).toEqual({
        status: 'ok',
        via: 'known_hosts',
      })
      // An unmarked line for the same key (someone added it by hand) wins over the mark.
      expect(
        verify(`${line}\n${line.replace(/ fleet-audit-accepted-new.*$/, ' my comment')}`, '127.0.0.9', 2200),
      ).toEqual({status: 'ok', via: 'known_hosts'})
    }
  })
})
