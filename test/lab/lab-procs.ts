/** Process helpers for the lab: readiness by SSH banner, CPU accounting from /proc. */
import type {ChildProcess} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {connect} from 'node:net'

export function waitForBanner(address: string, port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null || child.signalCode !== null)
        return reject(new Error(`sshd on ${address}:${port} exited (${child.exitCode ?? child.signalCode})`))
      const sock = connect({host: address, port})
      const retry = (): void => {
        sock.destroy()
        if (Date.now() > until) return reject(new Error(`sshd on ${address}:${port} not ready within ${timeoutMs} ms`))
        setTimeout(attempt, 15)
      }
      sock.once('data', (d) => {
        sock.destroy()
        if (d.toString('latin1').startsWith('SSH-')) resolve()
        else retry()
      })
      sock.once('error', retry)
    }
    attempt()
  })
}

/** Reads a process's CPU time (ms), itself plus reaped children. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime stime cutime cstime are fields 14–17 (1-based); after the comm, index 11..14.
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
    return (ticks * 1000) / 100
  } catch {
    return 0
  }
}

export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** Live (non-zombie) processes whose command line contains `text`. */
export function processesMentioning(text: string): number[] {
  const found: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) found.push(Number(name))
    } catch {
      // gone meanwhile
    }
  }
  return found
}
