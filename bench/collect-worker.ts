/**
 * The bare node-ssh fan-out, run in its own process so that its CPU and memory are measured alone (bench/collect.ts):
 * connect, run the configured command, disconnect, at the configured concurrency. It loads node-ssh and nothing of
 * fleet-audit (which bench/collect.ts runs as the whole `collect` command instead).
 * Usage: node collect-worker.js node-ssh <config.json>
 */
import {readFileSync} from 'node:fs'

import {NodeSSH} from 'node-ssh'

import type {Terminal} from '../src/model/types.js'

/** What the bench hands to a worker. */
export interface WorkerConfig {
  terminals: Terminal[]
  targets: Array<{host: string; port: number}>
  keyPath: string
  knownHostsPath: string
  command: string
  /** Output that marks a complete answer (the probe's end marker); without it, exit status 0 is enough. */
  expect?: string
  concurrency: number
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(n, items.length)}, async () => {
      while (next < items.length) await fn(items[next++])
    }),
  )
}

async function main(): Promise<void> {
  const [method, configPath] = process.argv.slice(2)
  const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as WorkerConfig
  const t0 = performance.now()
  let ok = 0
  if (method === 'node-ssh') {
    const privateKey = readFileSync(cfg.keyPath, 'utf8')
    await pool(cfg.targets, cfg.concurrency, async ({host, port}) => {
      const ssh = new NodeSSH()
      try {
        await ssh.connect({host, port, username: 'root', privateKey})
        const r = await ssh.execCommand(cfg.command)
        if (r.code === 0 && (cfg.expect === undefined || r.stdout.includes(cfg.expect))) ok++
      } catch {
        // counted as not ok
      } finally {
        ssh.dispose()
      }
    })
  } else throw new Error(`unknown method ${method}`)
  const wallMs = performance.now() - t0
  process.stdout.write(`${JSON.stringify({ok, wallMs, maxRssMB: process.resourceUsage().maxRSS / 1024})}\n`)
}

await main()
