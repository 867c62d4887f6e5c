import {BlockList, isIP} from 'node:net'

/*
 * Addresses and subnets, parsed in one place by the code that also evaluates them (node:net's isIP and BlockList),
 * so that whatever the inventory schema accepts the rules can evaluate, and whatever they cannot is refused at its
 * line and column (exit 2) instead of turning into "rule could not be evaluated" later.
 */

/** A subnet in CIDR form. */
export interface Cidr {
  network: string
  prefix: number
  family: 'ipv4' | 'ipv6'
}

/** `10.20.0.0/16`, `2001:db8::/32`; undefined for anything node:net would not accept (`:::::/64`, `10.031.0.0/16`). */
export function parseCidr(value: string): Cidr | undefined {
  // No zone index (`fe80::1%eth0`): a subnet is not tied to an interface.
  const m = /^([^/%]+)\/(0|[1-9]\d{0,2})$/.exec(value)
  if (!m) return undefined
  const family = familyOf(m[1])
  if (!family) return undefined
  const prefix = Number(m[2])
  if (prefix > (family === 'ipv4' ? 32 : 128)) return undefined
  try {
    new BlockList().addSubnet(m[1], prefix, family)
  } catch {
    return undefined
  }

  return {network: m[1], prefix, family}
}

/** 'ipv4' or 'ipv6' for an IP address (no leading zeros, no zone), undefined otherwise. */
export function familyOf(ip: string): Cidr['family'] | undefined {
  const v = isIP(ip)
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined
}

/** A terminal's address split into host and optional port. */
export interface Address {
  host: string
  port?: number
}

/**
 * `host`, `host:port`, `[v6]` or `[v6]:port` (a bare IPv6 address is taken whole). Undefined when the brackets hold
 * no IPv6 address, the port is out of range, or the host looks like a dotted IPv4 address but is not one
 * (`10.031.0.1`, `999.1.1.1`: no host name is all digits).
 */
export function parseAddress(address: string): Address | undefined {
  const bracket = /^\[([^\]]*)\](?::(\d{1,5}))?$/.exec(address)
  if (bracket) {
    if (familyOf(bracket[1]) !== 'ipv6') return undefined
    return withPort(bracket[1], bracket[2])
  }

  if (familyOf(address) === 'ipv6') return {host: address}
  const parts = address.split(':')
  if (parts.length > 2) return undefined
  const [host, port] = parts
  if (!host || (/^[\d.]+$/.test(host) && familyOf(host) !== 'ipv4')) return undefined
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return undefined
  return withPort(host, port)
}

function withPort(host: string, port: string | undefined): Address | undefined {
  if (port === undefined) return {host}
  const n = Number(port)
  return n >= 1 && n <= 65_535 ? {host, port: n} : undefined
}

/** The host part of an address; the text itself when it does not parse (so it never matches a real host). */
export function hostOf(address: string): string {
  return parseAddress(address)?.host ?? address
}

/**
 * A parsed subnet list, reused across the terminals of a site. `v4` holds each subnet as a network and a mask when
 * every subnet is IPv4: an IPv4 address is then checked with integer arithmetic, the same test `BlockList` makes,
 * without the SocketAddress object `BlockList.check` builds on every call (once per terminal and rule).
 */
interface SubnetList {
  list: BlockList
  v4?: {network: number; mask: number}[]
}

const subnetLists = new Map<string, SubnetList>()

/**
 * True when `ip` is inside one of the CIDRs; a malformed ip is never inside. A malformed CIDR (only possible in a
 * rule's own literal, inventories are validated) throws, so the rule is reported as not evaluated.
 */
export function inAnyCidr(cidrs: readonly string[], ip: string): boolean {
  const family = familyOf(ip)
  if (!family) return false
  const key = cidrs.join(',')
  let subnets = subnetLists.get(key)
  if (!subnets) {
    const list = new BlockList()
    const parsed: Cidr[] = []
    for (const text of cidrs) {
      const cidr = parseCidr(text)
      if (!cidr) throw new Error(`not a valid CIDR: ${JSON.stringify(text)}`)
      list.addSubnet(cidr.network, cidr.prefix, cidr.family)
      parsed.push(cidr)
    }

    const allV4 = parsed.every((c) => c.family === 'ipv4')
    subnets = {
      list,
      v4: allV4 ? parsed.map((c) => ({network: ipv4Number(c.network), mask: ipv4Mask(c.prefix)})) : undefined,
    }
    subnetLists.set(key, subnets)
  }

  if (family === 'ipv4' && subnets.v4) {
    const n = ipv4Number(ip)
    return subnets.v4.some(({network, mask}) => (n & mask) >>> 0 === (network & mask) >>> 0)
  }

  return subnets.list.check(ip, family)
}

/** A dotted IPv4 address (already checked by `familyOf`) as an unsigned 32-bit number. */
function ipv4Number(ip: string): number {
  const [a, b, c, d] = ip.split('.')
  return ((Number(a) << 24) | (Number(b) << 16) | (Number(c) << 8) | Number(d)) >>> 0
}

function ipv4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0
}
