/**
 * What the `windows` probe prints on a real PC, rebuilt for tests: the document the PowerShell script assembles, the
 * JSON as Windows PowerShell 5.1 (JavaScriptSerializer) or PowerShell 7 (Newtonsoft) writes it, and the bytes in the
 * encoding under test (CP932, UTF-16LE with BOM, UTF-8 with or without BOM; CRLF or LF).
 */
import type {ClientFacts} from '../../src/model/types.js'

/** Wire encodings a recorded output can be in. */
export type RecordedEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le-bom' | 'cp932'

/** One registry value as the script reports it (`type` is .NET's RegistryValueKind name). */
export interface RegValue {
  name: string
  type: string
  value: unknown
}

/** The document's fields; `client: null` is a missing registry key. */
export interface WindowsDocument {
  probe: string
  mark: string
  errors: string[]
  client: RegValue[] | null
  machine_guid: string | null
  computer_name: string | null
  hostname: string | null
  os: {caption: string | null; version: string | null; build: string | null} | null
  bios_serial: string | null
  adapters: Array<{mac: string; ips: string[]}>
}

/** What a simulated Windows PC is. */
export interface WindowsMachine {
  client: ClientFacts
  hostname: string
  machineGuid: string
  biosSerial: string
  caption?: string
  build?: string
  adapters?: Array<{mac: string; ips: string[]}>
}

/** The document the script builds on a PC whose registry holds `client` (REG_SZ singles, REG_MULTI_SZ lists). */
export function windowsDocument(m: WindowsMachine): WindowsDocument {
  const c = m.client
  return {
    probe: 'fleet-audit-windows/1',
    mark: '\u65e5\u672c',
    errors: [],
    client: [
      {name: 'terminal_id', type: 'String', value: c.terminal_id},
      {name: 'role', type: 'String', value: c.role},
      {name: 'auth', type: 'String', value: c.auth},
      {name: 'serial', type: 'String', value: c.serial},
      // Windows reports MACs upper case with dashes in the client's own tools; the parser normalizes.
      {name: 'macs', type: 'MultiString', value: c.macs.map((x) => x.toUpperCase().replaceAll(':', '-'))},
      {name: 'ips', type: 'MultiString', value: c.ips},
    ],
    machine_guid: m.machineGuid,
    computer_name: m.hostname.toUpperCase().slice(0, 15),
    hostname: m.hostname,
    os: {
      caption: m.caption ?? 'Microsoft Windows 11 Pro',
      version: `10.0.${m.build ?? '22631'}`,
      build: m.build ?? '22631',
    },
    bios_serial: m.biosSerial,
    adapters:
      m.adapters ??
      c.macs.map((mac, i) => ({mac: mac.toUpperCase(), ips: i === 0 ? [...c.ips, 'fe80::1c2d:3e4f:5a6b:7c8d'] : []})),
  }
}

/** JSON as ConvertTo-Json -Compress writes it: 5.1 also escapes `<>&'` as \u003c etc.; `ascii` escapes all non-ASCII as the script does. */
export function psJson(doc: unknown, ps: '5.1' | '7', ascii: boolean): string {
  let j = JSON.stringify(doc)
  if (ps === '5.1') j = j.replace(/[<>&']/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (ascii) j = j.replace(/[^\x00-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return j
}

let cp932Table: Map<string, number[]> | undefined

/** A CP932 encoder, built once from the platform's own (ICU) decoder, so tests need no encoding package. */
export function encodeCp932(text: string): Buffer {
  if (!cp932Table) {
    cp932Table = new Map()
    const dec = new TextDecoder('shift_jis', {fatal: true})
    for (let b = 0xa1; b <= 0xdf; b++) cp932Table.set(dec.decode(new Uint8Array([b])), [b])
    for (let lead = 0x81; lead <= 0xfc; lead++) {
      if (lead >= 0xa0 && lead <= 0xdf) continue
      for (let trail = 0x40; trail <= 0xfc; trail++) {
        if (trail === 0x7f) continue
        try {
          const ch = dec.decode(new Uint8Array([lead, trail]))
          if (!cp932Table.has(ch)) cp932Table.set(ch, [lead, trail])
        } catch {
          // not a character in CP932
        }
      }
    }
  }
  const out: number[] = []
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0))
    else {
      const bytes = cp932Table.get(ch)
      if (!bytes) throw new Error(`not encodable in CP932: U+${ch.codePointAt(0)!.toString(16)}`)
      out.push(...bytes)
    }
  }
  return Buffer.from(out)
}

/** The bytes on the wire: mark line + JSON line, in `encoding`, with `crlf` line ends. */
export function encodeOutput(json: string, encoding: RecordedEncoding, crlf = true): Buffer {
  const eol = crlf ? '\r\n' : '\n'
  const text = `#fleet-audit-windows${eol}${json}${eol}`
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8')
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
    case 'utf-16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    case 'cp932':
      return encodeCp932(text)
  }
}

/** The recorded output of a simulated PC, as a given PowerShell writes it in a given encoding. */
export function windowsOutput(
  m: WindowsMachine,
  opts: {encoding: RecordedEncoding; ps?: '5.1' | '7'; crlf?: boolean; ascii?: boolean},
): Buffer {
  return encodeOutput(
    psJson(windowsDocument(m), opts.ps ?? '5.1', opts.ascii ?? false),
    opts.encoding,
    opts.crlf ?? true,
  )
}
