/**
 * The collection commands end to end: `collect`, `audit --live` and `check`, run as the compiled CLI against a real
 * OpenSSH fleet on loopback (test/lab), with an inventory file written for it.
 */
import {mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Lab, startLab} from '../lab/lab.js'
import {type CliResult, runCli} from '../support/cli.js'

/** The CLI in `cwd`: in this process (test/support/cli.ts), against the real sshd fleet; a child process when `child`. */
function cli(args: string[], cwd: string, child = false): Promise<CliResult> {
  return runCli(args, {cwd, env: {...process.env, NO_COLOR: '1', LANG: 'C', SSH_AUTH_SOCK: ''}, child})
}

let lab: Lab
let dir: string
let ssh: string[]

beforeAll(async () => {
  lab = await startLab({
    terminals: [
      {id: 'T-NW-OK', client: {role: 'nw', auth: 'device'}},
      {id: 'T-RT-TEMP', client: {role: 'nw', auth: 'device'}},
      {id: 'T-CTR', client: {role: 'nw', auth: 'device'}},
      {id: 'T-DOWN', mode: 'down'},
      {id: 'T-PLANNED', client: {role: 'retail', auth: 'device'}},
      {id: 'T-HOSTILE', conf: 'terminal_id=T-HOSTILE\nrole=retail\u001b[2J\nauth=device\nserial=S\n'},
      // A newer client version keeps its setting elsewhere: read through a profile the inventory declares.
      {id: 'T-V2', conf: null, eigyoFiles: {'v2.conf': 'terminal_id=T-V2\nrole=retail\nauth=device\nserial=S-V2\n'}},
      // Windows PCs behind stand-in shells (test/lab): a correctly set one about to be installed, answering in CP932
      // through cmd.exe, and a temp-staff PC delivered with the NW setting, answering in UTF-16 through PowerShell.
      {
        id: 'T-WIN-PLANNED',
        client: {role: 'retail', auth: 'device', serial: '岩手-派遣-104'},
        windows: {shell: 'cmd', encoding: 'cp932'},
      },
      {
        id: 'T-WIN-TEMP',
        client: {role: 'nw', auth: 'device'},
        windows: {shell: 'powershell', encoding: 'utf-16le-bom'},
      },
    ],
  })
  dir = await mkdtemp(join(tmpdir(), 'fa-cli-live-'))
  const terminal = (id: string, zone: string, owner: string, role: string, status = 'active', extra = '') => {
    const t = lab.terminals.get(id)!
    return `  - {id: ${id}, hostname: ${t.hostname}, address: "${t.address}:${t.port}", site: lab, zone: ${zone}, owner: ${owner}, role: ${role}, status: ${status}${extra}}`
  }

  await writeFile(
    join(dir, 'inventory.yaml'),
    [
      'companies:',
      '  - {id: nw, name: NW, side: nw}',
      '  - {id: retail, name: Retail, side: retail}',
      'sites:',
      '  - id: lab',
      '    name: Lab',
      '    subnets: [127.0.0.0/8]',
      '    zones:',
      '      - {id: nw-office, name: NW office, kind: office, access: [nw]}',
      '      - {id: retail-office, name: Retail office, kind: office, access: [retail]}',
      '      - {id: counter, name: Shared counter, kind: counter, access: [nw, retail]}',
      'defaults:',
      '  ssh: {user: root, profile: linux}',
      'profiles:',
      '  - {name: eigyo-v2, base: linux, paths: {conf: /etc/eigyo/v2.conf}}',
      'terminals:',
      terminal('T-NW-OK', 'nw-office', 'nw', 'nw'),
      terminal('T-RT-TEMP', 'retail-office', 'retail', 'retail'),
      terminal('T-CTR', 'counter', 'nw', 'nw'),
      terminal('T-DOWN', 'retail-office', 'retail', 'retail'),
      terminal('T-PLANNED', 'retail-office', 'retail', 'retail', 'planned'),
      terminal('T-HOSTILE', 'retail-office', 'retail', 'retail', 'planned'),
      terminal('T-V2', 'retail-office', 'retail', 'retail', 'active', ', ssh: {profile: eigyo-v2}'),
      // Planned, so never collected; its placement is wrong all the same, and a live audit must still say so.
      terminal(
        'T-WIN-PLANNED',
        'retail-office',
        'retail',
        'retail',
        'planned',
        `, serial: "岩手-派遣-104", ssh: {profile: windows}`,
      ),
      terminal('T-WIN-TEMP', 'retail-office', 'retail', 'retail', 'active', ', ssh: {profile: windows}'),
      '  - {id: T-PLAN-CTR, hostname: t-plan-ctr, address: "127.0.0.1:1", site: lab, zone: counter, owner: nw, role: nw, status: planned}',
      '',
    ].join('\n'),
  )
  // No --now: collected_at comes from the clock, so audits here must judge freshness by the clock too.
  ssh = ['--identity', lab.clientKeyPath, '--known-hosts', lab.knownHostsPath, '--connect-timeout', '5']
}, 120_000)

afterAll(async () => {
  await lab?.stop()
  expect(lab.leftovers()).toEqual([])
  if (dir) await rm(dir, {recursive: true, force: true})
})

const rulesOf = (findings: {terminal: string; rule: string}[], id: string) =>
  findings
    .filter((f) => f.terminal === id)
    .map((f) => f.rule)
    .sort()

describe('fleet-audit collect', () => {
  it('writes one facts file per active terminal, with the failure class of the one that is down, and exits 1', async () => {
    // As a real process, like the other two smoke runs below: bin/run.js stays covered end to end.
    const r = await cli(['collect', '-i', 'inventory.yaml', '--out', 'facts', ...ssh], dir, true)
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toContain(
      '5 of 6 terminals verified; 1 not: 1 refused (reasons above and in each facts file in facts)',
    )
    expect((await readdir(join(dir, 'facts'))).sort()).toEqual([
      'T-CTR.json',
      'T-DOWN.json',
      'T-NW-OK.json',
      'T-RT-TEMP.json',
      'T-V2.json',
      'T-WIN-TEMP.json',
    ])
    const win = JSON.parse(await readFile(join(dir, 'facts', 'T-WIN-TEMP.json'), 'utf8'))
    expect(win).toMatchObject({
      outcome: 'ok',
      client: {role: 'nw'},
      os: {computer_name: 'T-WIN-TEMP'},
      meta: {profile: 'windows'},
    })
    const v2 = JSON.parse(await readFile(join(dir, 'facts', 'T-V2.json'), 'utf8'))
    expect(v2).toMatchObject({outcome: 'ok', client: {terminal_id: 'T-V2', serial: 'S-V2'}})
    const down = JSON.parse(await readFile(join(dir, 'facts', 'T-DOWN.json'), 'utf8'))
    expect(down.outcome).toBe('refused')
    const temp = JSON.parse(await readFile(join(dir, 'facts', 'T-RT-TEMP.json'), 'utf8'))
    expect(temp).toMatchObject({
      outcome: 'ok',
      client: {role: 'nw'},
      host_key: lab.terminals.get('T-RT-TEMP')!.fingerprint,
    })
    expect(r.stdout + r.stderr).not.toContain('PRIVATE KEY')
  })

  it('refuses a terminal that names an undeclared probe profile, at its line (exit 2)', async () => {
    const text = await readFile(join(dir, 'inventory.yaml'), 'utf8')
    await writeFile(join(dir, 'bad-profile.yaml'), text.replace('ssh: {profile: eigyo-v2}', 'ssh: {profile: eigyo-v3}'))
    const r = await cli(['collect', '-i', 'bad-profile.yaml', '--out', 'facts-x', ...ssh], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^bad-profile\.yaml:\d+:\d+ unknown probe profile "eigyo-v3"/m)
  })

  it('never reads as success when nothing was verified', async () => {
    const r = await cli(['collect', '-i', 'inventory.yaml', '--only', 'T-DOWN', '--out', 'facts-down', ...ssh], dir)
    expect(r.code).toBe(1)
    expect(r.stdout.trim()).toBe(
      '0 of 1 terminals verified; 1 not: 1 refused (reasons above and in each facts file in facts-down)',
    )
    expect(r.stderr).toMatch(/^T-DOWN: refused: connection refused/m)
  })

  it('an unknown host key says how to trust it, with the fingerprint to compare', async () => {
    await writeFile(join(dir, 'empty_known_hosts'), '')
    const r = await cli(
      [
        'collect',
        '-i',
        'inventory.yaml',
        '--only',
        'T-NW-OK',
        '--out',
        'facts-hk',
        '--identity',
        lab.clientKeyPath,
        '--known-hosts',
        'empty_known_hosts',
      ],
      dir,
    )
    expect(r.code).toBe(1)
    const fp = lab.terminals.get('T-NW-OK')!.fingerprint
    expect(r.stderr).toContain(`T-NW-OK: hostkey-unknown: host key ${fp} is neither pinned nor in known_hosts`)
    expect(r.stderr).toContain(
      'pin it as ssh.host_key in the inventory, add it to known_hosts, or collect once with --accept-new',
    )
  })

  it('missing credentials name the flags and the config file keys (exit 2)', async () => {
    const r = await cli(
      ['collect', '-i', 'inventory.yaml', '--out', 'facts-nocred', '--known-hosts', lab.knownHostsPath],
      dir,
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--identity KEY, or identity: in fleet-audit.yaml')
    expect(r.stderr).toContain('--agent SOCKET')
  })

  it('refuses an unknown --only id before connecting (exit 2)', async () => {
    const r = await cli(['collect', '-i', 'inventory.yaml', '--only', 'NOPE', '--out', 'facts-x', ...ssh], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--only: unknown terminal "NOPE"')
  })
})

describe('fleet-audit audit --live', () => {
  it('collects and audits in one command: the temp PC, the counter and the unreachable terminal fail', async () => {
    const r = await cli(['audit', '--live', '-i', 'inventory.yaml', ...ssh, '--format', 'json'], dir)
    expect(r.code, r.stderr).toBe(1)
    const result = JSON.parse(r.stdout)
    expect(rulesOf(result.findings, 'T-NW-OK')).toEqual([])
    expect(rulesOf(result.findings, 'T-RT-TEMP')).toEqual([
      'reconcile/nw-setting-reachable-by-retail',
      'reconcile/role-mismatch',
    ])
    expect(rulesOf(result.findings, 'T-CTR')).toEqual(['placement/nw-terminal-in-shared-zone'])
    expect(rulesOf(result.findings, 'T-DOWN')).toEqual(['collect/unverified'])
    expect(rulesOf(result.findings, 'T-V2')).toEqual([])
    expect(rulesOf(result.findings, 'T-WIN-TEMP')).toEqual([
      'reconcile/nw-setting-reachable-by-retail',
      'reconcile/role-mismatch',
    ])
    // Planned terminals are not collected by default: no facts rules for them, but placement still counts.
    expect(rulesOf(result.findings, 'T-PLANNED')).toEqual([])
    expect(rulesOf(result.findings, 'T-PLAN-CTR')).toEqual(['placement/nw-terminal-in-shared-zone'])
  })

  it('refuses a misspelt --site or --zone, and a selection of nothing, before connecting (exit 2)', async () => {
    const site = await cli(['audit', '--live', '-i', 'inventory.yaml', '--site', 'lba', ...ssh], dir)
    expect(site.code).toBe(2)
    expect(site.stderr).toContain('--site: unknown site "lba"')
    const zone = await cli(['collect', '-i', 'inventory.yaml', '--zone', 'countr', '--out', 'facts-z', ...ssh], dir)
    expect(zone.code).toBe(2)
    expect(zone.stderr).toContain('--zone: unknown zone "countr"')
    const none = await cli(
      ['audit', '--live', '-i', 'inventory.yaml', '--zone', 'nw-office', '--shard', '9/9', ...ssh],
      dir,
    )
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('the selection matches no terminal')])
  })

  it('with --db, a live audit reads the ledger and is stored in history', async () => {
    const r = await cli(['audit', '--live', '-i', 'inventory.yaml', '--db', 'live.db', ...ssh, '--format', 'json'], dir)
    const result = JSON.parse(r.stdout)
    expect(result.run_id).toBe(1)
    expect(rulesOf(result.findings, 'T-RT-TEMP')).toContain('ledger/no-install-handoff')
  })

  it('reports the terminals it did not collect as not checked, never as passing test cases', async () => {
    const table = await cli(['audit', '--live', '-i', 'inventory.yaml', '--only', 'T-NW-OK', ...ssh], dir)
    // Exit 1 all the same: the planned NW terminal at the counter is misplaced, collected or not.
    expect(table.code, table.stderr).toBe(1)
    expect(table.stdout).toMatch(
      /Not checked: \d+ terminals whose facts rules could not be evaluated\n(.*\n)* {2}\d+ terminals not collected in this run/,
    )
    const json = JSON.parse(
      (await cli(['audit', '--live', '-i', 'inventory.yaml', '--only', 'T-NW-OK', ...ssh, '--format', 'json'], dir))
        .stdout,
    )
    const down = json.not_evaluated.find((n: {terminal: string}) => n.terminal === 'T-DOWN')
    expect(down).toMatchObject({reason: 'not collected in this run'})
    expect(down.rules).toContain('reconcile/role-mismatch')
    expect(json.not_evaluated.map((n: {terminal: string}) => n.terminal)).not.toContain('T-NW-OK')
  })

  it('gives the same findings as auditing the facts that collect wrote', async () => {
    const live = JSON.parse(
      (await cli(['audit', '--live', '-i', 'inventory.yaml', ...ssh, '--format', 'json'], dir)).stdout,
    )
    const recorded = JSON.parse(
      (await cli(['audit', '-i', 'inventory.yaml', '--facts', 'facts', '--format', 'json'], dir)).stdout,
    )
    const key = (f: {terminal: string; rule: string}) => `${f.terminal} ${f.rule}`
    expect(live.findings.map(key).sort()).toEqual(recorded.findings.map(key).sort())
  })
})

describe('fleet-audit check', () => {
  it('passes a correctly set planned PC', async () => {
    const r = await cli(['check', 'T-PLANNED', '-i', 'inventory.yaml', ...ssh], dir, true)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toContain('PASS  role setting')
    expect(r.stdout.trim().split('\n').at(-1)).toBe('PASS')
  })

  it('fails the temp-staff PC delivered with the NW setting, naming the rule', async () => {
    const r = await cli(['check', 'T-RT-TEMP', '-i', 'inventory.yaml', ...ssh], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('FAIL  role setting')
    expect(r.stdout).toContain('reconcile/role-mismatch')
    expect(r.stdout).toContain('PASS  host key')
  })

  it('passes a correctly set Windows PC about to be installed (cmd.exe shell, CP932 answer, Japanese serial)', async () => {
    const r = await cli(['check', 'T-WIN-PLANNED', '-i', 'inventory.yaml', ...ssh], dir)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toContain('PASS  identity (id, hostname, serial, MAC, address)')
    expect(r.stdout.trim().split('\n').at(-1)).toBe('PASS')
  })

  it('fails the Windows temp-staff PC delivered with the NW setting', async () => {
    const r = await cli(['check', 'T-WIN-TEMP', '-i', 'inventory.yaml', ...ssh], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('FAIL  role setting')
    expect(r.stdout).toContain('reconcile/role-mismatch: client is set to nw, declared retail')
    expect(r.stdout).toContain('PASS  reachable and verified')
  })

  it('--lang ja: the checklist, severities, finding messages and verdict in Japanese', async () => {
    const r = await cli(['check', 'T-RT-TEMP', '-i', 'inventory.yaml', ...ssh, '--lang', 'ja'], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('不可  役割設定\n')
    expect(r.stdout).toContain('高 reconcile/role-mismatch: クライアント設定は nw、登録は retail です')
    expect(r.stdout).toContain('合格  ホスト鍵')
    expect(r.stdout.trim().split('\n').at(-1)).toBe('不可')
    expect(r.stdout).not.toMatch(/\b(PASS|FAIL|high)\b/)
  })

  it('fails an unreachable terminal as not verified', async () => {
    const r = await cli(['check', 'T-DOWN', '-i', 'inventory.yaml', ...ssh], dir, true)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('FAIL  reachable and verified')
  })

  const LINES = [
    'host key',
    'role setting',
    'authentication',
    'identity (id, hostname, serial, MAC, address)',
    'placement',
  ]

  it('never says PASS after a refused connection: every later line is NOT CHECKED, in the table, --json and --lang ja', async () => {
    const r = await cli(['check', 'T-DOWN', '-i', 'inventory.yaml', ...ssh], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).not.toMatch(/PASS/)
    for (const line of LINES) expect(r.stdout).toContain(`  NOT CHECKED  ${line}\n`)
    const json = JSON.parse((await cli(['check', 'T-DOWN', '-i', 'inventory.yaml', ...ssh, '--json'], dir)).stdout)
    expect(json.pass).toBe(false)
    expect(
      json.checks.map((c: {check: string; status: string; checked: boolean; pass: boolean}) => [
        c.check,
        c.status,
        c.checked,
        c.pass,
      ]),
    ).toEqual([
      ['reachable', 'fail', true, false],
      ['host-key', 'not-checked', false, false],
      ['role', 'not-checked', false, false],
      ['auth', 'not-checked', false, false],
      ['identity', 'not-checked', false, false],
      ['placement', 'not-checked', false, false],
    ])
    const ja = await cli(['check', 'T-DOWN', '-i', 'inventory.yaml', ...ssh, '--lang', 'ja'], dir)
    expect(ja.stdout).not.toMatch(/PASS/)
    expect(ja.stdout.match(/^ {2}未確認 {2}/gm)).toHaveLength(5)
  })

  it('never says PASS when --fail-on would not count the unverified finding', async () => {
    const r = await cli(['check', 'T-DOWN', '-i', 'inventory.yaml', ...ssh, '--fail-on', 'critical'], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('  FAIL  reachable and verified')
    expect(r.stdout).not.toMatch(/PASS/)
  })

  it('never says PASS after invalid output: the later lines are NOT CHECKED', async () => {
    const r = await cli(['check', 'T-HOSTILE', '-i', 'inventory.yaml', ...ssh], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).not.toMatch(/PASS/)
    expect(r.stdout.match(/^ {2}NOT CHECKED {2}/gm)?.length).toBe(5)
  })

  it('a changed host key fails the host-key line and leaves the others NOT CHECKED', async () => {
    const text = await readFile(join(dir, 'inventory.yaml'), 'utf8')
    const wrong = `SHA256:${'A'.repeat(43)}`
    await writeFile(
      join(dir, 'pinned-wrong.yaml'),
      text.replace(/( {2}- \{id: T-NW-OK, [^\n]*)\}/, `$1, ssh: {host_key: "${wrong}"}}`),
    )
    const r = await cli(['check', 'T-NW-OK', '-i', 'pinned-wrong.yaml', ...ssh], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('  FAIL  host key')
    expect(r.stdout).toContain('reconcile/host-key-changed')
    expect(r.stdout).not.toMatch(/PASS/)
    for (const line of LINES.slice(1)) expect(r.stdout).toContain(`  NOT CHECKED  ${line}\n`)
  })

  it('shows a hostile terminal output escaped, never raw escape sequences', async () => {
    const r = await cli(['check', 'T-HOSTILE', '-i', 'inventory.yaml', ...ssh], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).not.toContain('\u001b')
    expect(r.stdout).toContain('output-invalid')
    expect(r.stdout).toContain('control character')
  })
})
