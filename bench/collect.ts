/**
 * Collection benchmark (issue 4 item 7, issue 10 item 10): the whole `fleet-audit collect` process (node bin/run.js:
 * start-up, inventory, collection, facts files) vs a bare node-ssh fan-out process, run once with its own light
 * command (`true`) and once with the probe's command, vs an OpenSSH `xargs -P` fan-out of the probe's command, at the
 * same concurrency, on the same lab fleet, in the same run. Prints a markdown table to stdout.
 * Issue 13 item 5: the same `collect` on a second lab fleet of Windows stand-ins (cmd.exe shell, powershell.exe that
 * decodes and checks the encoded command, CP932 answer), against the Linux probe on the first, in the same run.
 *
 *   npx tsc -p bench/collect.tsconfig.json && node bench/collect-build/bench/collect.js [--terminals 200,1000] [--concurrency 32] [--repeat 1]
 *
 * Root and sshd are required (it starts the lab from test/lab). Each method runs in its own process under
 * /usr/bin/time, so client CPU and peak memory are that method's alone; server CPU is what the lab's sshd processes
 * (and their reaped sessions) used meanwhile.
 */
import {execFile} from 'node:child_process'
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {LINUX_COMMAND} from '../src/facts/probes/index.js'
import {startLab} from '../test/lab/lab.js'
import type {WorkerConfig} from './collect-worker.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..')
const WINDOWS_METHOD = 'fleet-audit collect, windows stand-in'
const COLLECT = 'fleet-audit collect (whole process)'
const BARE = 'node-ssh (bare), probe command'
const BARE_LIGHT = 'node-ssh (bare), light command `true`'

/** An inventory declaring the lab's terminals (one site, one zone), for the whole `collect` command. */
function inventoryYaml(
  terminals: Array<{id: string; hostname: string; address?: string}>,
  profile: 'linux' | 'windows',
): string {
  return [
    'companies:',
    '  - {id: lab-co, name: Lab, side: retail}',
    'sites:',
    '  - id: lab-site',
    '    name: Lab',
    '    zones:',
    '      - {id: lab-zone, name: Lab zone, kind: office, access: [lab-co]}',
    'defaults:',
    `  ssh: {user: root, profile: ${profile}}`,
    'terminals:',
    ...terminals.map(
      (t) =>
        `  - {id: ${t.id}, hostname: ${t.hostname}, address: "${t.address}", site: lab-site, zone: lab-zone, owner: lab-co, role: retail}`,
    ),
    '',
  ].join('\n')
}

/** Facts files in `dir` whose outcome is ok. */
async function okFacts(dir: string): Promise<number> {
  let ok = 0
  for (const f of await readdir(dir))
    if (f.endsWith('.json') && JSON.parse(await readFile(join(dir, f), 'utf8')).outcome === 'ok') ok++
  return ok
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : fallback
}

interface Measure {
  method: string
  wallS: number
  ok: number
  userS: number
  sysS: number
  maxRssMB: number
  serverS: number
}

/** Runs a command under GNU time; returns its stdout and rusage (self + waited-for children). */
function timed(
  cmd: string,
  args: string[],
): Promise<{stdout: string; wallS: number; userS: number; sysS: number; maxRssMB: number}> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/time',
      ['-f', 'FA-TIME %e %U %S %M', cmd, ...args],
      {maxBuffer: 64 * 1024 * 1024},
      (err, stdout, stderr) => {
        const m = /FA-TIME (\S+) (\S+) (\S+) (\S+)/.exec(stderr)
        if (!m) return reject(new Error(`${cmd} failed: ${err?.message ?? ''}\n${stderr.slice(-2000)}`))
        resolve({stdout, wallS: Number(m[1]), userS: Number(m[2]), sysS: Number(m[3]), maxRssMB: Number(m[4]) / 1024})
      },
    )
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function main(): Promise<void> {
  const sizes = arg('terminals', '200').split(',').map(Number)
  const concurrency = Number(arg('concurrency', '32'))
  const repeat = Number(arg('repeat', '1'))
  const rows: Array<Measure & {n: number}> = []
  for (const n of sizes) {
    process.stderr.write(`starting ${n} lab terminals…\n`)
    const t0 = Date.now()
    const lab = await startLab({
      terminals: Array.from({length: n}, (_, i) => ({id: `B${String(i).padStart(5, '0')}`})),
      startConcurrency: 8,
    })
    const wlab = await startLab({
      terminals: Array.from({length: n}, (_, i) => ({
        id: `W${String(i).padStart(5, '0')}`,
        windows: {shell: 'cmd' as const, encoding: 'cp932' as const},
      })),
      startConcurrency: 8,
    })
    process.stderr.write(`labs up in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`)
    const work = await mkdtemp(join(tmpdir(), 'fa-bench-'))
    try {
      const terminals = lab.declared()
      const targets = [...lab.terminals.values()].map((t) => ({host: t.address, port: t.port}))
      const cfg: WorkerConfig = {
        terminals,
        targets,
        keyPath: lab.clientKeyPath,
        knownHostsPath: lab.knownHostsPath,
        command: LINUX_COMMAND,
        expect: '@@fleet-audit end',
        concurrency,
      }
      const cfgPath = join(work, 'config.json')
      await writeFile(cfgPath, JSON.stringify(cfg))
      await writeFile(join(work, 'cmd'), LINUX_COMMAND)
      await writeFile(join(work, 'targets'), targets.map((t) => `${t.host} ${t.port}`).join('\n') + '\n')
      const outDir = join(work, 'out')
      await writeFile(
        join(work, 'one.sh'),
        `mkdir -p ${outDir}
exec ssh -F /dev/null -q -i ${lab.clientKeyPath} -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile=${lab.knownHostsPath} \\
  -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o KexAlgorithms=curve25519-sha256 -o ConnectTimeout=10 \\
  -p "$2" "root@$1" "$(cat ${join(work, 'cmd')})" > "${outDir}/$1.out"
`,
      )
      const inv = join(work, 'inventory.yaml')
      const winv = join(work, 'inventory-windows.yaml')
      await writeFile(inv, inventoryYaml(terminals, 'linux'))
      await writeFile(winv, inventoryYaml(wlab.declared(), 'windows'))
      const lightPath = join(work, 'config-light.json')
      await writeFile(lightPath, JSON.stringify({...cfg, command: 'true', expect: undefined} satisfies WorkerConfig))
      const cli = async (inventory: string, lab: typeof wlab, out: string) => {
        await rm(out, {recursive: true, force: true})
        const r = await timed('node', [
          join(root, 'bin', 'run.js'),
          'collect',
          '-i',
          inventory,
          '--out',
          out,
          '--identity',
          lab.clientKeyPath,
          '--known-hosts',
          lab.knownHostsPath,
          '--concurrency',
          String(concurrency),
          '--max-file-size',
          String(64 << 20),
        ])
        return {...r, ok: await okFacts(out)}
      }
      const methods: Record<string, () => Promise<Omit<Measure, 'serverS' | 'method'>>> = {
        [WINDOWS_METHOD]: () => cli(winv, wlab, join(work, 'facts-windows')),
        [BARE_LIGHT]: async () => {
          const r = await timed('node', [join(here, 'collect-worker.js'), 'node-ssh', lightPath])
          return {...r, ok: JSON.parse(r.stdout).ok}
        },
        [BARE]: async () => {
          const r = await timed('node', [join(here, 'collect-worker.js'), 'node-ssh', cfgPath])
          return {...r, ok: JSON.parse(r.stdout).ok}
        },
        [COLLECT]: () => cli(inv, lab, join(work, 'facts')),
        'OpenSSH xargs -P': async () => {
          await rm(outDir, {recursive: true, force: true})
          const r = await timed('sh', [
            '-c',
            `xargs -P ${concurrency} -n 2 sh ${join(work, 'one.sh')} < ${join(work, 'targets')}`,
          ])
          let ok = 0
          for (const f of await readdir(outDir))
            if ((await readFile(join(outDir, f), 'utf8')).includes('@@fleet-audit end')) ok++
          return {...r, ok}
        },
      }
      // Warm-up so the first method measured does not pay for cold caches.
      await methods[BARE]()
      await methods[COLLECT]()
      await methods[WINDOWS_METHOD]()
      for (let rep = 0; rep < repeat; rep++) {
        for (const [method, fn] of Object.entries(methods)) {
          await sleep(500)
          const on = method === WINDOWS_METHOD ? wlab : lab
          const s0 = on.serverCpuMs()
          const m = await fn()
          await sleep(500) // let sshd reap the last sessions, so their CPU is counted
          const serverS = (on.serverCpuMs() - s0) / 1000
          rows.push({n, method, serverS, ...m})
          process.stderr.write(`${n} ${method}: ${m.wallS.toFixed(2)} s, ${m.ok}/${n} ok\n`)
        }
      }
    } finally {
      await wlab.stop()
      await lab.stop()
      await rm(work, {recursive: true, force: true})
    }
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]
  const out: string[] = [
    `Collection from lab terminals (real sshd on loopback), concurrency ${concurrency}, median of ${repeat} run(s) after a warm-up, methods interleaved; ${new Date().toISOString()}`,
    '',
    '| terminals | method | wall (s) | runs (s) | ok | vs bare node-ssh (probe command) | client CPU / terminal (ms) | server CPU / terminal (ms) | peak RSS (MB) |',
    '|---:|---|---:|---|---:|---:|---:|---:|---:|',
  ]
  for (const n of sizes) {
    const of = (method: string) => rows.filter((r) => r.n === n && r.method === method)
    const baseWall = median(of(BARE).map((r) => r.wallS))
    for (const method of [...new Set(rows.map((r) => r.method))]) {
      const rs = of(method)
      const wall = median(rs.map((r) => r.wallS))
      out.push(
        `| ${n} | ${method} | ${wall.toFixed(2)} | ${rs.map((r) => r.wallS.toFixed(2)).join(', ')} | ${Math.min(...rs.map((r) => r.ok))} | ${(wall / baseWall).toFixed(2)}× | ${median(rs.map((r) => ((r.userS + r.sysS) * 1000) / n)).toFixed(1)} | ${median(rs.map((r) => (r.serverS * 1000) / n)).toFixed(1)} | ${Math.max(...rs.map((r) => r.maxRssMB)).toFixed(0)} |`,
      )
    }
  }
  out.push(
    '',
    'Every method is one whole process (or, for xargs, one process tree) timed from outside: wall and client CPU include node or ssh start-up, and for `fleet-audit collect` also the CLI, the inventory and writing the facts files. Peak RSS is the largest single process (for xargs, one ssh).',
  )
  out.push(
    '',
    'Targets (issue 10 item 10): `fleet-audit collect` within 1.15× of the bare node-ssh fan-out running the same probe command, and faster than OpenSSH, at every size:',
    '',
  )
  for (const n of sizes) {
    const wall = (method: string) => median(rows.filter((r) => r.n === n && r.method === method).map((r) => r.wallS))
    const ratio = wall(COLLECT) / wall(BARE)
    out.push(
      `- ${n} terminals: ${ratio.toFixed(2)}× bare node-ssh (${ratio <= 1.15 ? 'met' : 'NOT met'}), ${(wall(COLLECT) / wall('OpenSSH xargs -P')).toFixed(2)}× OpenSSH (${wall(COLLECT) < wall('OpenSSH xargs -P') ? 'faster: met' : 'NOT faster: not met'}); ${(wall(COLLECT) / wall(BARE_LIGHT)).toFixed(2)}× the bare fan-out with its light command.`,
    )
  }
  out.push(
    '',
    'Windows probe (`windows` profile, one `powershell.exe -EncodedCommand` per terminal, a 5.5 KB command line) on lab Windows stand-ins against the Linux probe, both with `fleet-audit collect`:',
    '',
    '| terminals | linux probe wall (s) | windows stand-in wall (s) | windows / linux (target ≤ 1.20) | server CPU / terminal, linux → windows (ms) |',
    '|---:|---:|---:|---:|---|',
  )
  for (const n of sizes) {
    const of = (method: string) => rows.filter((r) => r.n === n && r.method === method)
    const lin = median(of(COLLECT).map((r) => r.wallS))
    const win = median(of(WINDOWS_METHOD).map((r) => r.wallS))
    const cpu = (method: string) => median(of(method).map((r) => (r.serverS * 1000) / n)).toFixed(1)
    out.push(
      `| ${n} | ${lin.toFixed(2)} | ${win.toFixed(2)} | ${(win / lin).toFixed(2)}× | ${cpu(COLLECT)} → ${cpu(WINDOWS_METHOD)} |`,
    )
  }
  process.stdout.write(`${out.join('\n')}\n`)
}

await main()
