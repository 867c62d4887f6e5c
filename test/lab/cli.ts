/**
 * Starts a lab fleet by hand and keeps it up until Ctrl-C, then stops exactly what it started.
 *
 *   npx tsc -p bench/collect.tsconfig.json && node bench/collect-build/test/lab/cli.js [failure|incidents|windows|<N>]
 *
 * Prints the lab folder; `lab.json` there lists each terminal's address, port and host key fingerprint, next to the
 * client key (`client_ed25519`) and `known_hosts`, so `ssh` or `fleet-audit collect` can be pointed at it.
 */
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {type LabTerminalSpec, startLab} from './lab.js'
import {failureFleet, incidentFleet} from './scenarios.js'

const which = process.argv[2] ?? 'failure'
const specs: LabTerminalSpec[] =
  which === 'failure'
    ? failureFleet()
    : which === 'incidents'
      ? incidentFleet()
      : which === 'windows'
        ? [
            {id: 'WIN-CMD-CP932', windows: {shell: 'cmd', encoding: 'cp932'}},
            {id: 'WIN-PS-UTF16', windows: {shell: 'powershell', encoding: 'utf-16le-bom'}},
            {id: 'WIN-PS7-UTF8', windows: {shell: 'cmd', encoding: 'utf-8', ps: '7'}},
          ]
        : Array.from({length: Number(which)}, (_, i) => ({id: `LAB-${String(i).padStart(5, '0')}`}))
if (specs.length === 0 || specs.some((s) => !s.id))
  throw new Error(`usage: cli.js [failure|incidents|windows|<N>], got ${which}`)

const lab = await startLab({terminals: specs})
const summary = [...lab.terminals.values()].map((t) => ({
  id: t.spec.id,
  mode: t.spec.mode ?? 'up',
  address: t.address,
  port: t.port,
  host_key: t.fingerprint,
}))
await writeFile(
  join(lab.dir, 'lab.json'),
  `${JSON.stringify({clientKey: lab.clientKeyPath, knownHosts: lab.knownHostsPath, terminals: summary}, null, 2)}\n`,
)
process.stdout.write(`${summary.length} terminals up; details in ${join(lab.dir, 'lab.json')}\n`)
process.stdout.write(
  `try: ssh -i ${lab.clientKeyPath} -o UserKnownHostsFile=${lab.knownHostsPath} root@${summary[0].address} cat /etc/eigyo/terminal.conf\n`,
)
process.stdout.write('Ctrl-C stops the lab.\n')
const stop = async (): Promise<void> => {
  await lab.stop()
  process.stdout.write('lab stopped\n')
}
process.once('SIGINT', () => void stop())
process.once('SIGTERM', () => void stop())
