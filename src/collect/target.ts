import type {Terminal} from '../model/types.js'
import {parseAddress} from '../io/address.js'

/** Host and port to connect to: `address` (`host[:port]`, `[v6]:port`) or the hostname, then `ssh.port`, then 22. */
export function resolveAddress(t: Terminal): {host: string; port: number} | {problem: string} {
  const addr = t.address ?? t.hostname
  const parsed = parseAddress(addr)
  if (!parsed) {
    if (!addr) return {problem: 'empty address'}
    return {problem: /(^|[^:]):\d+$/.test(addr) ? `bad port in address "${addr}"` : `bad address "${addr}"`}
  }

  const port = parsed.port ?? t.ssh.port ?? 22
  if (!Number.isInteger(port) || port < 1 || port > 65535) return {problem: `bad port in address "${addr}"`}
  return {host: parsed.host, port}
}
