import type {Terminal} from '../model.js'

/** Host and port to connect to: `address` (`host[:port]`, `[v6]:port`) or the hostname, then `ssh.port`, then 22. */
export function resolveAddress(t: Terminal): {host: string; port: number} | {problem: string} {
  const addr = t.address ?? t.hostname
  let host = addr
  let port: number | undefined
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(addr)
  if (bracket) {
    host = bracket[1]
    if (bracket[2]) port = Number(bracket[2])
  } else if (addr.split(':').length === 2) {
    const [h, p] = addr.split(':')
    host = h
    port = /^\d+$/.test(p) ? Number(p) : Number.NaN
  }
  port ??= t.ssh.port ?? 22
  if (!host) return {problem: 'empty address'}
  if (!Number.isInteger(port) || port < 1 || port > 65535) return {problem: `bad port in address "${addr}"`}
  return {host, port}
}
