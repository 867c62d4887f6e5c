import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {parseLinux, parseTerminalConf, profileFromData} from '../../../../src/facts/probes/index.js'
import type {ProbeParse} from '../../../../src/facts/probes/index.js'
import {linuxOutput} from '../../collect/helpers.js'

const recorded = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`recorded/${name}`, import.meta.url)))
const run = (stdout: Buffer): ProbeParse => parseLinux({stdout, stderr: Buffer.alloc(0), code: 0})
const conf = (text: string): ProbeParse => run(linuxOutput({conf: text}))
const base = 'terminal_id=T1\nrole=retail\nauth=idcard\nserial=S1\n'

describe('linux profile on recorded outputs (captured from lab sshd)', () => {
  it('parses a complete NW terminal', () => {
    expect(run(recorded('linux-ok-1.out'))).toEqual({
      ok: true,
      client: {
        terminal_id: 'OK-1',
        role: 'nw',
        auth: 'idcard',
        serial: 'SN-OK-1',
        macs: ['02:00:00:00:00:01', '02:00:00:00:00:02'],
        ips: ['10.1.2.3'],
      },
      os: {
        hostname: 'sendai-kita-r01',
        machine_id: '0123456789abcdef0123456789abcdef',
        name: 'Debian GNU/Linux 12 (bookworm)',
      },
    })
  })

  it('reports a missing terminal.conf as probe-failed', () => {
    expect(run(recorded('linux-missing.out'))).toEqual({
      ok: false,
      outcome: 'probe-failed',
      reason: '/etc/eigyo/terminal.conf is missing',
    })
  })

  it('refuses escape sequences and keeps the raw value escaped', () => {
    const r = run(recorded('linux-esc.out'))
    expect(r).toEqual({
      ok: false,
      outcome: 'output-invalid',
      reason: '/etc/eigyo/terminal.conf line 2: control character',
      raw: 'role=nw\\u001b[2K\\u001b[1Aretail',
    })
  })

  it('accepts a file without a final newline', () => {
    const r = run(recorded('linux-noeol.out'))
    expect(r.ok && r.client).toMatchObject({
      terminal_id: 'NOEOL',
      role: 'retail',
      auth: 'device',
      serial: 'S2',
      macs: [],
      ips: [],
    })
  })
})

describe('terminal.conf', () => {
  it.each([
    ['repeated single-valued key', `${base}role=nw\n`, 'line 5: role repeated (single-valued)', 'role=nw'],
    ['role with a trailing space', base.replace('role=retail', 'role=NW '), 'role must be one of nw|retail', 'NW '],
    ['role outside the enum', base.replace('role=retail', 'role=kiosk'), 'role must be one of nw|retail', 'kiosk'],
    ['uppercase role', base.replace('role=retail', 'role=NW'), 'role must be one of nw|retail', 'NW'],
    [
      'auth outside the enum',
      base.replace('auth=idcard', 'auth=password'),
      'auth must be one of idcard|device',
      'password',
    ],
    ['CRLF line ends', base.replaceAll('\n', '\r\n'), 'line 1: control character', 'terminal_id=T1\\r'],
    ['a tab', base.replace('serial=S1', 'serial=\tS1'), 'line 4: control character', 'serial=\\tS1'],
    ['a NUL byte', base.replace('serial=S1', 'serial=S\u00001'), 'line 4: control character', 'serial=S\\u00001'],
    ['a C1 control', base.replace('serial=S1', 'serial=S\u009b1'), 'line 4: control character', 'serial=S\\u009b1'],
    ['a bidi override', base.replace('serial=S1', 'serial=S\u202e1'), 'line 4: control character', 'serial=S\\u202e1'],
    ['a line without =', `${base}garbage\n`, 'line 5: not a key=value line', 'garbage'],
    ['a bad MAC', `${base}mac=02:00:00:00:00\n`, 'mac is not a MAC address', '02:00:00:00:00'],
    ['a bad IP', `${base}ip=10.0.0.300\n`, 'ip is not an IP address', '10.0.0.300'],
  ])('refuses %s', (_name, text, reason, raw) => {
    const r = conf(text)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.outcome).toBe('output-invalid')
    expect(r.reason).toContain(reason)
    expect(r.raw).toBe(raw)
  })

  it('refuses invalid UTF-8 and shows the bytes', () => {
    const bytes = Buffer.concat([Buffer.from(`${base}serial2=`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\n')])
    const r = run(linuxOutput({conf: bytes}))
    expect(r).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: expect.stringContaining('line 5: invalid UTF-8'),
      raw: 'serial2=\\xc3(\\xff',
    })
  })

  it('accepts UTF-8 text, comments, blank lines, unknown keys, MACs in any case and repeated mac/ip', () => {
    const text = `# 端末設定\n\n  # indented comment\nterminal_id=盛岡-01\nrole=nw\nauth=device\nserial=SN 1\nmac=02-AB-00-00-00-01\nmac=02:ab:00:00:00:02\nip=10.0.0.1\nip=fe80::1\nvendor_key=x\n`
    expect(parseTerminalConf(Buffer.from(text))).toEqual({
      terminal_id: '盛岡-01',
      role: 'nw',
      auth: 'device',
      serial: 'SN 1',
      macs: ['02:ab:00:00:00:01', '02:ab:00:00:00:02'],
      ips: ['10.0.0.1', 'fe80::1'],
    })
  })

  it.each(['terminal_id', 'role', 'auth', 'serial'])('refuses a file without %s', (key) => {
    const text = base
      .split('\n')
      .filter((l) => !l.startsWith(`${key}=`))
      .join('\n')
    expect(conf(text)).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: `/etc/eigyo/terminal.conf: ${key} missing`,
    })
  })

  it('refuses an empty value', () => {
    expect(conf(base.replace('serial=S1', 'serial='))).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: expect.stringContaining('serial is empty'),
    })
  })
})

describe('output framing', () => {
  it('refuses a forged section marker inside terminal.conf', () => {
    const forged = `${base}\n@@fleet-audit conf.status\n0\n`
    expect(conf(forged)).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: expect.stringContaining('appears twice'),
    })
  })

  it('treats output that stops early as probe-failed', () => {
    const full = linuxOutput({})
    const cut = full.subarray(0, full.indexOf('@@fleet-audit os'))
    expect(parseLinux({stdout: cut, stderr: Buffer.from('sh: 1: uname: not found\n'), code: 127})).toMatchObject({
      ok: false,
      outcome: 'probe-failed',
      reason: expect.stringContaining('output ended before section'),
      raw: 'sh: 1: uname: not found\\n',
    })
  })

  it('treats empty output as probe-failed', () => {
    expect(run(Buffer.alloc(0))).toMatchObject({ok: false, outcome: 'probe-failed'})
  })

  it('reports an unreadable terminal.conf as probe-failed', () => {
    expect(run(linuxOutput({conf: '', confStatus: '1'}))).toMatchObject({
      ok: false,
      outcome: 'probe-failed',
      reason: expect.stringContaining('could not be read'),
    })
  })

  it('reports a missing machine-id as probe-failed and a malformed one as output-invalid', () => {
    expect(run(linuxOutput({machineId: null}))).toMatchObject({ok: false, outcome: 'probe-failed'})
    expect(run(linuxOutput({machineId: 'uninitialized'}))).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      raw: 'uninitialized',
    })
  })

  it('refuses a control character in the hostname', () => {
    expect(run(linuxOutput({hostname: 'evil\u001b]0;pwned\u0007'}))).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      raw: 'evil\\u001b]0;pwned\\u0007',
    })
  })

  it('reads PRETTY_NAME unquoted, and an empty name without os-release', () => {
    const ok = (b: Buffer): string => {
      const r = run(b)
      if (!r.ok) throw new Error(r.reason)
      return r.os.name
    }
    expect(ok(linuxOutput({os: "PRETTY_NAME='Ubuntu 24.04 LTS'\n"}))).toBe('Ubuntu 24.04 LTS')
    expect(ok(linuxOutput({os: 'PRETTY_NAME=Plain\n'}))).toBe('Plain')
    expect(ok(linuxOutput({os: null}))).toBe('')
  })
})

describe('profiles declared as data', () => {
  it('moves the files a Linux probe reads, quoted in the command', () => {
    const p = profileFromData({name: 'eigyo-v2', base: 'linux', paths: {conf: '/opt/eigyo/terminal.conf'}})
    if ('problems' in p) throw new Error(p.problems.join())
    expect(p.command).toContain("f conf '/opt/eigyo/terminal.conf'")
    expect(p.parse({stdout: linuxOutput({conf: null}), stderr: Buffer.alloc(0), code: 0})).toMatchObject({
      reason: '/opt/eigyo/terminal.conf is missing',
    })
  })

  it('refuses paths that could change the command, bad names and unknown bases', () => {
    const p = profileFromData({
      name: 'Bad Name',
      base: 'linux',
      paths: {conf: "/x'; rm -rf /; '", machineId: '/etc/../shadow'},
    })
    expect(p).toEqual({
      problems: [
        'profile name "Bad Name": use a-z, 0-9 and -',
        `profile Bad Name: paths.conf not an absolute plain path: "/x'; rm -rf /; '"`,
        'profile Bad Name: paths.machineId not an absolute plain path: "/etc/../shadow"',
      ],
    })
    // A base the registry does not list as adaptable has no paths to check: the base is the problem.
    expect(profileFromData({name: 'bad-name', base: 'windows', paths: {conf: '/etc/x'}})).toEqual({
      problems: ['profile bad-name: unknown base "windows" (known: linux)'],
    })
  })
})
