import {BlockList} from 'node:net'

import {describe, expect, it} from 'vitest'

import {hostOf, inAnyCidr, parseAddress, parseCidr} from '../../../src/io/address.js'
import {schemaValidator} from '../../../src/io/schema.js'

describe('parseCidr: what node:net can evaluate, nothing else', () => {
  it.each([
    ['10.20.0.0/16', {network: '10.20.0.0', prefix: 16, family: 'ipv4'}],
    ['0.0.0.0/0', {network: '0.0.0.0', prefix: 0, family: 'ipv4'}],
    ['2001:db8::/32', {network: '2001:db8::', prefix: 32, family: 'ipv6'}],
    ['::1/128', {network: '::1', prefix: 128, family: 'ipv6'}],
  ])('accepts %s', (text, cidr) => expect(parseCidr(text)).toEqual(cidr))

  it.each([
    ':::::/64',
    '10.031.0.0/16',
    '10.20.0.0/33',
    '2001:db8::/129',
    '10.20.0.0/016',
    '10.20.0.0',
    '10.20.0.0/',
    '/16',
    '10.20.0.0/16/8',
    'fe80::1%eth0/64',
    ' 10.20.0.0/16',
  ])('refuses %j', (text) => expect(parseCidr(text)).toBeUndefined())

  it('the inventory schema uses the same parser', () => {
    const validate = schemaValidator('inventory.schema.json')
    const site = (subnet: string) => ({sites: [{id: 's', name: 'S', subnets: [subnet]}]})
    expect(validate(site('10.20.0.0/16'))).toBe(true)
    expect(validate(site(':::::/64'))).toBe(false)
    expect(validate(site('10.031.0.0/16'))).toBe(false)
  })
})

describe('parseAddress: host[:port] and [v6]:port', () => {
  it.each([
    ['hc-nw-001', {host: 'hc-nw-001'}],
    ['10.20.1.11', {host: '10.20.1.11'}],
    ['10.20.1.11:2222', {host: '10.20.1.11', port: 2222}],
    ['[2001:db8::1]:22', {host: '2001:db8::1', port: 22}],
    ['[::1]', {host: '::1'}],
    ['2001:db8::1', {host: '2001:db8::1'}],
    ['host.example:65535', {host: 'host.example', port: 65535}],
  ])('reads %s', (text, address) => expect(parseAddress(text)).toEqual(address))

  it.each([
    '10.031.1.11',
    '999.1.1.1',
    '[:::::]:22',
    '[10.0.0.1]:22',
    'host:0',
    'host:70000',
    'host:',
    ':22',
    'a:b:c',
    '',
    'host:22x',
  ])('refuses %j', (text) => expect(parseAddress(text)).toBeUndefined())

  it('hostOf gives the host, or the text itself when it does not parse (so it never matches a real host)', () => {
    expect(hostOf('[2001:db8::1]:22')).toBe('2001:db8::1')
    expect(hostOf('10.20.1.11:22')).toBe('10.20.1.11')
    expect(hostOf('10.031.1.11')).toBe('10.031.1.11')
  })
})

describe('inAnyCidr', () => {
  it('checks IPv4 and IPv6 membership; a malformed IP is never inside', () => {
    expect(inAnyCidr(['10.20.0.0/16'], '10.20.3.20')).toBe(true)
    expect(inAnyCidr(['10.20.0.0/16'], '10.21.3.20')).toBe(false)
    expect(inAnyCidr(['2001:db8::/32', '10.20.0.0/16'], '2001:db8::5')).toBe(true)
    expect(inAnyCidr(['10.20.0.0/16'], '10.020.3.20')).toBe(false)
  })

  it('throws on a malformed CIDR (only a rule literal can hold one), so the rule is reported as not evaluated', () => {
    expect(() => inAnyCidr([':::::/64'], '10.0.0.1')).toThrow(/not a valid CIDR/)
  })
})

describe('inAnyCidr on IPv4 subnets agrees with node:net BlockList', () => {
  it('for every prefix length, addresses at, inside and just outside each edge', () => {
    const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
    let checked = 0
    for (let prefix = 0; prefix <= 32; prefix++) {
      // A network written with host bits set, as BlockList allows: both mask it.
      for (const base of [0x0a_14_03_07, 0xc0_a8_ff_fe, 0xff_ff_ff_ff, 0]) {
        const cidr = `${ip(base)}/${prefix}`
        const list = new BlockList()
        list.addSubnet(ip(base), prefix, 'ipv4')
        const size = prefix === 0 ? 2 ** 32 : 2 ** (32 - prefix)
        const start = Math.floor(base / size) * size
        for (const n of [start - 1, start, start + 1, start + size - 1, start + size, base]) {
          if (n < 0 || n > 0xff_ff_ff_ff) continue
          expect(inAnyCidr([cidr], ip(n)), `${ip(n)} in ${cidr}`).toBe(list.check(ip(n), 'ipv4'))
          checked++
        }
      }
    }

    expect(checked).toBeGreaterThan(500)
  })

  it('with IPv6 subnets in the list, checks through BlockList (an IPv4 address is in no IPv6 subnet)', () => {
    expect(inAnyCidr(['2001:db8::/32', '10.20.0.0/16'], '10.20.3.20')).toBe(true)
    expect(inAnyCidr(['2001:db8::/32', '10.20.0.0/16'], '10.21.3.20')).toBe(false)
    // An IPv4-mapped IPv6 address goes to BlockList as before, whatever it decides.
    const v4 = new BlockList()
    v4.addSubnet('10.20.0.0', 16, 'ipv4')
    expect(inAnyCidr(['10.20.0.0/16'], '::ffff:10.20.3.20')).toBe(v4.check('::ffff:10.20.3.20', 'ipv6'))
  })
})
