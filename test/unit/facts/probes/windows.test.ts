import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {
  builtinProfiles,
  CMD_EXE_MAX,
  decodeCandidates,
  parseWindows,
  type ProbeParse,
  WINDOWS_COMMAND,
  WINDOWS_SCRIPT,
} from '../../../../src/facts/probes/index.js'
import type {Facts} from '../../../../src/model/types.js'
import {
  encodeCp932,
  encodeOutput,
  psJson,
  type RegValue,
  windowsDocument,
  type WindowsMachine,
} from '../../../lab/windows-output.js'
import {factsSchemaErrors} from '../../collect/helpers.js'

const recorded = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`recorded/${name}`, import.meta.url)))
const run = (stdout: Buffer, stderr: Buffer = Buffer.alloc(0), code: number | null = 0): ProbeParse =>
  parseWindows({stdout, stderr, code})

/** The PC the recorded outputs describe (a retail counter PC at Hachinohe, Japanese text in its serial). */
const PC: WindowsMachine = {
  client: {
    terminal_id: 'HC-RT-020',
    role: 'retail',
    auth: 'idcard',
    serial: '八戸-窓口-020',
    macs: ['3c:52:82:10:20:01'],
    ips: ['192.0.2.20'],
  },
  hostname: 'hc-rt-020',
  machineGuid: '6f1e2d3c-4b5a-4697-8e8f-0a1b2c3d4e5f',
  biosSerial: 'JPH1T020',
  caption: 'Microsoft Windows 11 Pro',
  build: '22631',
}
const EXPECTED = {
  ok: true,
  client: {
    terminal_id: 'HC-RT-020',
    role: 'retail',
    auth: 'idcard',
    serial: '八戸-窓口-020',
    macs: ['3c:52:82:10:20:01'],
    ips: ['192.0.2.20'],
  },
  os: {
    hostname: 'hc-rt-020',
    machine_id: '6f1e2d3c-4b5a-4697-8e8f-0a1b2c3d4e5f',
    name: 'Microsoft Windows 11 Pro 10.0.22631',
    computer_name: 'HC-RT-020',
    build: '22631',
    serial: 'JPH1T020',
    macs: ['3c:52:82:10:20:01'],
    ips: ['192.0.2.20', 'fe80::1c2d:3e4f:5a6b:7c8d'],
  },
}

/** A document with one registry value replaced (or added), as the script would print it (ASCII-escaped, UTF-8). */
function withValue(v: RegValue, over: Partial<ReturnType<typeof windowsDocument>> = {}): Buffer {
  const doc = {...windowsDocument(PC), ...over}
  const client = doc.client!.filter((x) => x.name !== v.name)
  client.push(v)
  return encodeOutput(psJson({...doc, client}, '5.1', true), 'utf-8')
}

describe('windows profile on recorded outputs', () => {
  it.each([
    ['Windows PowerShell 5.1, CP932 (OEM code page of Japanese Windows), CRLF', 'windows-ps51-cp932.out', 'cp932'],
    ['Windows PowerShell 5.1, UTF-16LE with BOM, CRLF', 'windows-ps51-utf16.out', 'utf-16le'],
    ['PowerShell 7, UTF-8 without BOM, LF', 'windows-ps7-utf8.out', 'utf-8'],
    ['PowerShell 7, UTF-8 with BOM, CRLF', 'windows-ps7-utf8-bom.out', 'utf-8-bom'],
    ['the script as written: non-ASCII escaped, raw UTF-8 bytes', 'windows-ascii.out', 'utf-8'],
  ])('%s: the same facts, Japanese text intact', (_name, file, encoding) => {
    const bytes = recorded(file)
    expect(decodeCandidates(bytes)[0].encoding).toBe(encoding)
    const r = run(bytes)
    expect(r).toEqual(EXPECTED)
    const facts: Facts = {
      terminal: 'HC-RT-020',
      collected_at: '2026-11-27T10:00:00+09:00',
      outcome: 'ok',
      host_key: `SHA256:${'A'.repeat(43)}`,
      client: r.ok ? r.client : undefined,
      os: r.ok ? r.os : undefined,
    }
    expect(factsSchemaErrors(facts)).toBe('')
  })

  it('CP932 that is not valid UTF-8 is not read as UTF-8, and the mark confirms CP932', () => {
    const bytes = recorded('windows-ps51-cp932.out')
    expect(decodeCandidates(bytes).map((d) => d.encoding)).toEqual(['cp932'])
  })

  it('a missing registry key is probe-failed naming the key', () => {
    expect(run(recorded('windows-missing-key.out'))).toEqual({
      ok: false,
      outcome: 'probe-failed',
      reason: 'HKLM\\SOFTWARE\\Eigyo\\Terminal is missing',
    })
  })

  it('a single value of the wrong registry type is output-invalid', () => {
    expect(run(recorded('windows-wrong-type.out'))).toEqual({
      ok: false,
      outcome: 'output-invalid',
      reason: 'HKLM\\SOFTWARE\\Eigyo\\Terminal\\role is REG_DWORD, expected REG_SZ',
      raw: '\\"1\\"',
    })
  })

  it('MACs stored as REG_SZ instead of REG_MULTI_SZ are output-invalid', () => {
    const r = run(recorded('windows-macs-not-multi.out'))
    expect(r).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: 'HKLM\\SOFTWARE\\Eigyo\\Terminal\\macs is REG_SZ, expected REG_MULTI_SZ',
    })
  })
})

describe('windows profile: hostile or broken output', () => {
  it.each([
    [
      'role with a trailing space',
      {name: 'role', type: 'String', value: 'NW '},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal: role must be one of nw|retail',
      'NW ',
    ],
    [
      'role outside the enum',
      {name: 'role', type: 'String', value: 'kiosk'},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal: role must be one of nw|retail',
      'kiosk',
    ],
    [
      'auth outside the enum',
      {name: 'auth', type: 'String', value: 'password'},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal: auth must be one of idcard|device',
      'password',
    ],
    [
      'an escape sequence',
      {name: 'serial', type: 'String', value: 'S\u001b[2K1'},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal\\serial: control character',
      'S\\u001b[2K1',
    ],
    [
      'a CR',
      {name: 'serial', type: 'String', value: 'S1\r'},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal\\serial: control character',
      'S1\\r',
    ],
    [
      'a bidi override',
      {name: 'terminal_id', type: 'String', value: 'HC\u202eRT'},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal\\terminal_id: control character',
      'HC\\u202eRT',
    ],
    [
      'an unpaired surrogate',
      {name: 'serial', type: 'String', value: 'S\ud800'},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal\\serial: invalid character (not valid Unicode)',
      'S\\ud800',
    ],
    [
      'a bad MAC',
      {name: 'macs', type: 'MultiString', value: ['02-00-00-00-00']},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal\\macs: not a MAC address',
      '02-00-00-00-00',
    ],
    [
      'a bad IP',
      {name: 'ips', type: 'MultiString', value: ['192.0.2.300']},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal\\ips: not an IP address',
      '192.0.2.300',
    ],
    [
      'an empty serial',
      {name: 'serial', type: 'String', value: ''},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal: serial is empty',
      '',
    ],
    [
      'a value over 256 characters',
      {name: 'serial', type: 'String', value: 'X'.repeat(1025)},
      'HKLM\\SOFTWARE\\Eigyo\\Terminal\\serial: longer than 256 characters',
      'X'.repeat(1025),
    ],
  ])('refuses %s, raw value escaped', (_name, value, reason, raw) => {
    expect(run(withValue(value as RegValue))).toEqual({ok: false, outcome: 'output-invalid', reason, raw})
  })

  it('a value repeated under another case ("Role" and "role" are one registry value) is output-invalid', () => {
    const doc = windowsDocument(PC)
    doc.client!.push({name: 'Role', type: 'String', value: 'nw'})
    const r = run(encodeOutput(psJson(doc, '7', false), 'utf-8'))
    expect(r).toEqual({
      ok: false,
      outcome: 'output-invalid',
      reason: 'HKLM\\SOFTWARE\\Eigyo\\Terminal\\Role: value repeated (single-valued)',
      raw: '\\"nw\\"',
    })
  })

  it('a missing single value is output-invalid naming it', () => {
    const doc = windowsDocument(PC)
    doc.client = doc.client!.filter((v) => v.name !== 'auth')
    expect(run(encodeOutput(psJson(doc, '7', false), 'utf-8'))).toEqual({
      ok: false,
      outcome: 'output-invalid',
      reason: 'HKLM\\SOFTWARE\\Eigyo\\Terminal: auth missing',
    })
  })

  it('invalid bytes (neither UTF-8 nor CP932) are output-invalid with the bytes escaped', () => {
    const good = recorded('windows-ascii.out')
    const bad = Buffer.concat([good.subarray(0, 40), Buffer.from([0xff, 0xff]), good.subarray(40)])
    const r = run(bad)
    expect(r).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: 'output is neither UTF-8, UTF-16 nor CP932 (invalid bytes)',
    })
    expect(!r.ok && r.raw).toContain('\\xff\\xff')
  })

  it('a UTF-16 BOM followed by an odd byte count is invalid, not guessed', () => {
    expect(run(Buffer.concat([recorded('windows-ps51-utf16.out'), Buffer.from([0x41])]))).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
    })
  })

  it('a document whose mark does not read back is refused: the encoding was not confirmed', () => {
    const doc = {...windowsDocument(PC), mark: '日夲'}
    expect(run(encodeOutput(psJson(doc, '7', false), 'utf-8'))).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: expect.stringContaining('encoding could not be confirmed'),
    })
  })

  it('text around the document (a forged second document, a banner) is output-invalid', () => {
    const one = recorded('windows-ascii.out')
    expect(run(Buffer.concat([Buffer.from('Windows PowerShell\r\n'), one]))).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: 'output holds more than the probe document',
    })
    expect(run(Buffer.concat([one, one]))).toMatchObject({ok: false, outcome: 'output-invalid'})
  })

  it('parts the script could not read are probe-failed naming them', () => {
    const doc = {...windowsDocument(PC), errors: ['bios_serial: アクセスが拒否されました。']}
    expect(run(encodeOutput(psJson(doc, '5.1', false), 'cp932'))).toEqual({
      ok: false,
      outcome: 'probe-failed',
      reason: 'the probe could not read: bios_serial: アクセスが拒否されました。',
    })
  })

  it('no document at all is probe-failed with stderr decoded (CP932 error text from cmd.exe)', () => {
    const stderr = encodeCp932(
      "'powershell.exe' は、内部コマンドまたは外部コマンド、\r\n操作可能なプログラムまたはバッチ ファイルとして認識されていません。\r\n",
    )
    const r = run(Buffer.alloc(0), stderr, 1)
    expect(r).toMatchObject({
      ok: false,
      outcome: 'probe-failed',
      reason: expect.stringContaining('no probe document in the output (exit 1'),
    })
    expect(!r.ok && r.raw).toContain('内部コマンドまたは外部コマンド')
  })

  it('not JSON after the mark is output-invalid', () => {
    expect(run(Buffer.from('#fleet-audit-windows\r\n{"probe":\r\n'))).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: expect.stringContaining('not JSON'),
    })
  })

  it('PowerShell 5.1 wrapped arrays ({"value": [...], "Count": n}) read as arrays', () => {
    const doc = windowsDocument(PC) as unknown as Record<string, unknown>
    const client = (doc.client as RegValue[]).map((v) =>
      Array.isArray(v.value) ? {...v, value: {value: v.value, Count: v.value.length}} : v,
    )
    expect(run(encodeOutput(psJson({...doc, client}, '5.1', true), 'utf-8'))).toEqual(EXPECTED)
  })

  it('a physical adapter without addresses (unplugged, Wi-Fi off) contributes its MAC only', () => {
    const doc = {
      ...windowsDocument(PC),
      adapters: [
        ...windowsDocument(PC).adapters,
        {mac: '3C-52-82-10-20-02', ips: []},
        {mac: '3C-52-82-10-20-03', ips: ['', null as unknown as string]},
      ],
    }
    const r = run(encodeOutput(psJson(doc, '5.1', true), 'utf-8'))
    expect(r.ok && r.os.macs).toEqual(['3c:52:82:10:20:01', '3c:52:82:10:20:02', '3c:52:82:10:20:03'])
    expect(r.ok && r.os.ips).toEqual(EXPECTED.os.ips)
  })

  it('a very large output (64 adapters × 64 addresses, every value at its limit) parses bounded', () => {
    const adapters = Array.from({length: 64}, (_, a) => ({
      mac: `02-00-00-00-${a.toString(16).padStart(2, '0')}-01`,
      ips: Array.from({length: 64}, (_, i) => `2001:db8:${a.toString(16)}:${i.toString(16)}::${'a'.repeat(4)}`),
    }))
    const doc = {...windowsDocument(PC), adapters}
    const bytes = encodeOutput(psJson(doc, '5.1', false), 'utf-16le-bom')
    expect(bytes.length).toBeGreaterThan(150_000)
    const r = run(bytes)
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.os.macs).toHaveLength(64)
      expect(r.os.ips).toHaveLength(64)
    }
    const tooMany = {...windowsDocument(PC), adapters: [...adapters, ...adapters.slice(0, 1)]}
    expect(run(encodeOutput(psJson(tooMany, '7', false), 'utf-8'))).toMatchObject({
      ok: false,
      outcome: 'output-invalid',
      reason: 'more than 64 physical adapters',
    })
  })
})

describe('windows probe command', () => {
  it('is the built-in windows profile', () => {
    expect(builtinProfiles.windows.command).toBe(WINDOWS_COMMAND)
  })

  it('passes through cmd.exe and PowerShell unchanged: one line, no shell metacharacters, under cmd.exe’s 8,191 characters', () => {
    expect(WINDOWS_COMMAND.length).toBeLessThan(CMD_EXE_MAX)
    expect(WINDOWS_COMMAND).toMatch(/^powershell\.exe -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/]+=*$/)
  })

  it('carries the script as base64 of UTF-16LE, which decodes back to it', () => {
    const b64 = WINDOWS_COMMAND.split(' ').at(-1)!
    expect(Buffer.from(b64, 'base64').toString('utf16le')).toBe(WINDOWS_SCRIPT)
  })

  it('the script reads the documented sources and writes one bounded JSON document as raw bytes', () => {
    for (const part of [
      "OpenSubKey('SOFTWARE\\Eigyo\\Terminal')",
      "GetValue('MachineGuid')",
      'Win32_BIOS',
      'Win32_OperatingSystem',
      "Win32_NetworkAdapter -Filter 'PhysicalAdapter=TRUE'",
      'ConvertTo-Json -InputObject $d -Compress',
      '[Console]::OpenStandardOutput()',
      "'Registry64'",
    ])
      expect(WINDOWS_SCRIPT).toContain(part)
    // Only syntax Windows PowerShell 5.1 understands: no PowerShell 7 operators.
    expect(WINDOWS_SCRIPT).not.toMatch(/\?\.|\?\?|&&|\|\|/)
  })
})
