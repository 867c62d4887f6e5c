import {BlockList, isIP} from 'node:net'

import {Environment} from '@marcbachmann/cel-js'

/** Parsed subnet lists are reused across terminals of a site. */
const blockLists = new Map<string, BlockList>()

function blockListFor(cidrs: readonly string[]): BlockList {
  const key = cidrs.join(',')
  let list = blockLists.get(key)
  if (!list) {
    list = new BlockList()
    for (const cidr of cidrs) {
      const [net, bits] = cidr.split('/')
      const type = isIP(net) === 6 ? 'ipv6' : 'ipv4'
      list.addSubnet(net, Number(bits), type)
    }

    blockLists.set(key, list)
  }

  return list
}

/** True when `ip` is inside one of the CIDRs; a malformed ip is never inside. */
export function inAnyCidr(cidrs: readonly string[], ip: string): boolean {
  const family = isIP(ip)
  if (family === 0) return false
  return blockListFor(cidrs).check(ip, family === 6 ? 'ipv6' : 'ipv4')
}

/** The host part of `host`, `host:port` or `[v6]:port`. */
export function hostOf(address: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(address)
  if (v6) return v6[1]
  return address.split(':')[0]
}

/** Hostnames compare case-insensitively, and a short name matches its FQDN. */
export function sameHost(a: string, b: string): boolean {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x === y || x.startsWith(`${y}.`) || y.startsWith(`${x}.`)
}

/**
 * The CEL environment rules are written against. Variables are dynamic (the context is built by
 * `buildContext`), and the few functions auditors need beyond standard CEL are registered here.
 */
export function celEnvironment(): Environment {
  return new Environment({unlistedVariablesAreDyn: true, limits: {maxAstNodes: 2000, maxDepth: 64}})
    .registerFunction('in_any_cidr(list, string): bool', (cidrs: string[], ip: string) => inAnyCidr(cidrs, ip))
    .registerFunction('host_of(string): string', (address: string) => hostOf(address))
    .registerFunction('is_ip(string): bool', (s: string) => isIP(s) !== 0)
    .registerFunction('same_host(string, string): bool', (a: string, b: string) => sameHost(a, b))
}
