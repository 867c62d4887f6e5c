/**
 * The `windows` probe end to end through real sshd (test/lab): each simulated PC has a stand-in `cmd.exe` or
 * `powershell.exe` as its account's shell and a stand-in `powershell.exe` on PATH that decodes `-EncodedCommand`,
 * checks it is exactly the probe's script, and answers with recorded output in the encoding under test. So the
 * command's quoting, its length against cmd.exe's 8,191-character limit, the base64/UTF-16LE encoding and the
 * decoding of CP932, UTF-16 and UTF-8 answers all cross a real SSH connection.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collect, type CollectOptions} from '../../src/collect/index.js'
import {encodeCommand, type ProbeProfile, WINDOWS_SCRIPT, windowsProfile} from '../../src/facts/probes/index.js'
import type {Facts, Terminal} from '../../src/model/types.js'
import {guidOf, type Lab, startLab} from '../lab/lab.js'
import {encodeOutput, psJson, windowsDocument} from '../lab/windows-output.js'
import {factsSchemaErrors} from '../unit/collect/helpers.js'

let lab: Lab
let opts: CollectOptions
let facts: Map<string, Facts>
const now = (): Date => new Date()
const JP_SERIAL = '八戸-窓口-020'

beforeAll(async () => {
  const kiosk = windowsDocument({
    client: {terminal_id: 'W-KIOSK', role: 'retail', auth: 'idcard', serial: 'S', macs: [], ips: []},
    hostname: 'w-kiosk',
    machineGuid: '6f1e2d3c-4b5a-4697-8e8f-0a1b2c3d4e5f',
    biosSerial: 'B',
  })
  kiosk.client![1].value = 'kiosk'
  lab = await startLab({
    terminals: [
      {id: 'W-CMD-CP932', client: {serial: JP_SERIAL}, windows: {shell: 'cmd', encoding: 'cp932', ps: '5.1'}},
      {
        id: 'W-PS-UTF16',
        client: {role: 'nw', serial: JP_SERIAL},
        windows: {shell: 'powershell', encoding: 'utf-16le-bom', ps: '5.1'},
      },
      {id: 'W-CMD-PS7', client: {auth: 'device'}, windows: {shell: 'cmd', encoding: 'utf-8', ps: '7'}},
      {id: 'W-ASCII-BOM', windows: {shell: 'powershell', encoding: 'utf-8-bom', ps: '5.1', ascii: true}},
      {id: 'W-KIOSK', windows: {answer: encodeOutput(psJson(kiosk, '5.1', false), 'cp932')}},
      {id: 'W-NO-KEY', windows: {answer: encodeOutput(psJson({...kiosk, client: null}, '5.1', true), 'utf-8')}},
      {id: 'LINUX-1'},
    ],
  })
  opts = {
    knownHostsPath: lab.knownHostsPath,
    privateKeyPath: lab.clientKeyPath,
    connectTimeoutMs: 5000,
    commandTimeoutMs: 5000,
    attempts: 1,
  }
  const r = await collect(lab.declared(), opts, {now})
  facts = new Map(r.facts.map((f) => [f.terminal, f]))
})

afterAll(async () => {
  await lab?.stop()
})

describe('windows probe over SSH, through stand-in cmd.exe and powershell.exe', () => {
  it.each([
    ['cmd.exe shell, Windows PowerShell 5.1 answering in CP932', 'W-CMD-CP932'],
    ['PowerShell as the shell, 5.1 answering in UTF-16LE with BOM', 'W-PS-UTF16'],
    ['cmd.exe shell, PowerShell 7 answering in UTF-8', 'W-CMD-PS7'],
    ['PowerShell as the shell, the script as written (ASCII-escaped), UTF-8 with BOM', 'W-ASCII-BOM'],
  ])('%s: the same facts the Linux probe gives', (_name, id) => {
    const lt = lab.terminals.get(id)!
    const f = facts.get(id)!
    expect(f.error).toBeUndefined()
    expect(f).toMatchObject({outcome: 'ok', host_key: lt.fingerprint, meta: {profile: 'windows'}})
    expect(f.client).toEqual(lt.client)
    expect(f.os).toMatchObject({
      hostname: lt.hostname,
      machine_id: guidOf(lt.machineId),
      computer_name: lt.hostname.toUpperCase().slice(0, 15),
      serial: `BIOS-${id}`,
      build: '22631',
    })
    expect(f.os!.macs).toEqual(lt.client.macs)
    expect(factsSchemaErrors(f)).toBe('')
  })

  it('Japanese registry text arrives intact through CP932 and UTF-16', () => {
    expect(facts.get('W-CMD-CP932')!.client!.serial).toBe(JP_SERIAL)
    expect(facts.get('W-PS-UTF16')!.client!.serial).toBe(JP_SERIAL)
    expect(facts.get('W-PS-UTF16')!.client!.role).toBe('nw')
  })

  it('a Linux terminal in the same run is still read by the linux profile', () => {
    expect(facts.get('LINUX-1')).toMatchObject({outcome: 'ok', meta: {profile: 'linux'}})
  })

  it('a value outside its enum is output-invalid with the raw value escaped, as for Linux', () => {
    expect(facts.get('W-KIOSK')).toMatchObject({
      outcome: 'output-invalid',
      error: {reason: 'HKLM\\SOFTWARE\\Eigyo\\Terminal: role must be one of nw|retail', raw: 'kiosk'},
    })
  })

  it('a PC without the client registry key is probe-failed', () => {
    expect(facts.get('W-NO-KEY')).toMatchObject({
      outcome: 'probe-failed',
      error: {reason: 'HKLM\\SOFTWARE\\Eigyo\\Terminal is missing'},
    })
  })
})

describe('the stand-ins check what crosses the wire', () => {
  const one = (id: string, profile: ProbeProfile): Promise<Facts> => {
    const t: Terminal = {...lab.declared([id])[0], ssh: {user: 'root', profile: profile.name}}
    return collect([t], {...opts, profiles: {[profile.name]: profile}}, {now}).then((r) => r.facts[0])
  }

  it('a script other than the probe is refused by the stand-in powershell.exe (so the e2e tests compare the real command)', async () => {
    const other = `${WINDOWS_SCRIPT}\n# changed`
    const f = await one('W-CMD-PS7', {
      ...windowsProfile,
      name: 'windows-changed',
      command: `powershell.exe -NoProfile -NonInteractive -EncodedCommand ${encodeCommand(other)}`,
    })
    expect(f).toMatchObject({outcome: 'probe-failed'})
    expect(f.error!.raw).toContain("-EncodedCommand is not the probe's script")
  })

  it('a command over cmd.exe’s 8,191 characters fails as it would on Windows', async () => {
    const long = `${WINDOWS_SCRIPT}\n#${'x'.repeat(1200)}`
    const command = `powershell.exe -NoProfile -NonInteractive -EncodedCommand ${encodeCommand(long)}`
    expect(command.length).toBeGreaterThan(8191)
    const f = await one('W-CMD-CP932', {...windowsProfile, name: 'windows-long', command})
    expect(f).toMatchObject({outcome: 'probe-failed'})
    expect(f.error!.raw).toContain('The command line is too long.')
  })

  it('a command with characters cmd.exe or PowerShell would interpret is refused by the stand-in shells', async () => {
    const quoted = {
      ...windowsProfile,
      name: 'windows-quoted',
      command: `powershell.exe -NoProfile -NonInteractive -Command "& {Get-Date}"`,
    }
    const viaCmd = await one('W-CMD-CP932', quoted)
    expect(viaCmd.error!.raw).toContain('cmd.exe would interpret')
    const viaPs = await one('W-PS-UTF16', quoted)
    expect(viaPs.error!.raw).toContain('PowerShell would interpret')
  })
})
