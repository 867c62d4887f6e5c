import type {OsFacts} from '../../../model/types.js'
import {escapeRaw} from '../../../io/text.js'
import type {ProbeParse, ProbeProfile, ProbeRun, ProbeSource} from '../types.js'
import {type Decoded, decodeCandidates, decodeDiagnostic} from '../decode.js'
import {checkClient, checkIp, checkMac, checkText, type ConfProblem, MAX_VALUES, SINGLE} from '../terminal-conf.js'
import {WINDOWS_CLIENT_KEY, WINDOWS_COMMAND, WINDOWS_DOC_MARK, WINDOWS_PROBE_ID} from './script.js'

export {CMD_EXE_MAX, encodeCommand, WINDOWS_CLIENT_KEY, WINDOWS_COMMAND, WINDOWS_SCRIPT} from './script.js'

const KEY = `HKLM\\${WINDOWS_CLIENT_KEY}`
const MARK = '\u65e5\u672c'
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i
/** Registry value types as .NET's RegistryValueKind names them, and as people know them. */
const REG_TYPE: Record<string, string> = {
  String: 'REG_SZ',
  ExpandString: 'REG_EXPAND_SZ',
  MultiString: 'REG_MULTI_SZ',
  DWord: 'REG_DWORD',
  QWord: 'REG_QWORD',
  Binary: 'REG_BINARY',
  None: 'REG_NONE',
  Unknown: 'an unknown type',
}

type Problem = ConfProblem & {outcome?: 'probe-failed'}

/** The document the script prints, as far as the parser trusts its shape. */
interface WindowsDoc {
  probe: unknown
  mark: unknown
  errors: unknown
  client: unknown
  machine_guid: unknown
  computer_name: unknown
  hostname: unknown
  os: unknown
  bios_serial: unknown
  adapters: unknown
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * A list as ConvertTo-Json writes it: an array, `null` for none, or, when Windows PowerShell 5.1 serialised a
 * PSObject-wrapped array, `{"value": [...], "Count": n}`.
 */
function listOf(v: unknown): unknown[] | undefined {
  if (v === null || v === undefined) return []
  if (Array.isArray(v)) return v
  if (isObject(v) && Array.isArray(v.value) && Object.keys(v).every((k) => k === 'value' || k === 'Count'))
    return v.value
  return undefined
}

/** A string field: checked like any remote text (Unicode, no control character, bounded). */
function text(v: unknown, where: string, maxLen?: number): string | Problem {
  if (typeof v !== 'string')
    return {
      reason: `${where}: expected text, got ${v === null ? 'null' : typeof v}`,
      raw: escapeRaw(JSON.stringify(v) ?? ''),
    }
  return checkText(v, where, maxLen)
}

/**
 * Finds the one document in the output: the mark line, then one JSON line, nothing else but blank lines (CRLF or LF).
 * Undefined when there is no mark line at all (the script did not get that far).
 */
function documentLine(t: string): {json: string} | {bad: string} | undefined {
  const lines = t.replace(/^\ufeff/, '').split(/\r?\n/)
  const at = lines.indexOf(WINDOWS_DOC_MARK)
  if (at < 0) return undefined
  const other = lines.filter((l, i) => i !== at && i !== at + 1 && l.trim() !== '')
  if (other.length > 0 || at + 1 >= lines.length) return {bad: 'output holds more than the probe document'}
  return {json: lines[at + 1]}
}

/** Reads the bytes into the document, trying each plausible encoding; the mark decides which reading is right. */
function readDocument(run: ProbeRun): {doc: WindowsDoc; encoding: Decoded['encoding']} | Problem {
  const candidates = decodeCandidates(run.stdout)
  let misread: Problem | undefined
  let sawDocument = false
  for (const c of candidates) {
    const line = documentLine(c.text)
    if (!line) continue
    sawDocument = true
    if ('bad' in line) return {reason: line.bad, raw: escapeRaw(c.text)}
    let doc: unknown
    try {
      doc = JSON.parse(line.json)
    } catch (error) {
      misread ??= {
        reason: `probe document is not JSON (${(error as Error).message.slice(0, 120)})`,
        raw: escapeRaw(line.json),
      }
      continue
    }
    if (!isObject(doc) || doc.probe !== WINDOWS_PROBE_ID) {
      misread ??= {reason: `not a ${WINDOWS_PROBE_ID} document`, raw: escapeRaw(line.json)}
      continue
    }
    if (doc.mark !== MARK) {
      misread ??= {
        reason: `the encoding could not be confirmed (mark reads ${escapeRaw(String(doc.mark), 32)} as ${c.encoding})`,
      }
      continue
    }
    return {doc: doc as unknown as WindowsDoc, encoding: c.encoding}
  }
  if (misread) return misread
  if (candidates.length === 0)
    return {reason: 'output is neither UTF-8, UTF-16 nor CP932 (invalid bytes)', raw: escapeRaw(run.stdout)}
  if (sawDocument) return {reason: 'no readable probe document'}
  const stderr = run.stderr.length > 0 ? (decodeDiagnostic(run.stderr) ?? run.stderr) : undefined
  return {
    outcome: 'probe-failed',
    reason: `no probe document in the output (exit ${run.code ?? 'none'}; is the account's shell cmd.exe or PowerShell, and powershell.exe on its PATH?)`,
    ...(stderr === undefined ? {} : {raw: escapeRaw(stderr)}),
  }
}

/** The client's registry values, checked for type, repetition and content, as terminal.conf lines are. */
function clientFrom(raw: unknown): ReturnType<typeof checkClient> | Problem {
  if (raw === null) return {outcome: 'probe-failed', reason: `${KEY} is missing`}
  const values = listOf(raw)
  if (!values) return {reason: `${KEY}: values are not a list`, raw: escapeRaw(JSON.stringify(raw))}
  if (values.length > MAX_VALUES) return {reason: `${KEY}: more than ${MAX_VALUES} values`}
  const single: Partial<Record<(typeof SINGLE)[number], string>> = {}
  const multi: Record<'macs' | 'ips', string[]> = {macs: [], ips: []}
  const seen = new Set<string>()
  for (const v of values) {
    if (!isObject(v) || typeof v.name !== 'string' || typeof v.type !== 'string')
      return {reason: `${KEY}: a value entry is malformed`, raw: escapeRaw(JSON.stringify(v))}
    // Registry value names are case-insensitive: "Role" is the value the client reads as "role".
    const name = v.name.toLowerCase()
    const where = `${KEY}\\${escapeRaw(v.name, 64)}`
    if (seen.has(name))
      return {reason: `${where}: value repeated (single-valued)`, raw: escapeRaw(JSON.stringify(v.value))}
    seen.add(name)
    const type = REG_TYPE[v.type] ?? escapeRaw(v.type, 32)
    if ((SINGLE as readonly string[]).includes(name)) {
      if (v.type !== 'String')
        return {reason: `${where} is ${type}, expected REG_SZ`, raw: escapeRaw(JSON.stringify(v.value) ?? '')}
      const value = text(v.value, where)
      if (typeof value !== 'string') return value
      single[name as (typeof SINGLE)[number]] = value
    } else if (name === 'macs' || name === 'ips') {
      if (v.type !== 'MultiString')
        return {reason: `${where} is ${type}, expected REG_MULTI_SZ`, raw: escapeRaw(JSON.stringify(v.value) ?? '')}
      const items = listOf(v.value)
      if (!items) return {reason: `${where}: not a list`, raw: escapeRaw(JSON.stringify(v.value))}
      if (items.length > MAX_VALUES) return {reason: `${where}: more than ${MAX_VALUES} values`}
      for (const item of items) {
        const s = text(item, where)
        if (typeof s !== 'string') return s
        const checked = name === 'macs' ? checkMac(s, where) : checkIp(s, where)
        if (typeof checked !== 'string') return checked
        multi[name].push(checked)
      }
    }
  }
  return checkClient(single, multi.macs, multi.ips, KEY)
}

/** The OS half: names, machine GUID, BIOS serial, OS caption and build, physical adapters. */
function osFrom(doc: WindowsDoc): OsFacts | Problem {
  const hostField = doc.hostname ?? doc.computer_name
  const hostname = text(hostField, 'hostname')
  if (typeof hostname !== 'string') return hostname
  if (hostname === '') return {reason: 'hostname is empty', raw: ''}
  const computerName = text(doc.computer_name ?? '', 'computer name')
  if (typeof computerName !== 'string') return computerName
  const guidText = text(doc.machine_guid, 'MachineGuid')
  if (typeof guidText !== 'string') return guidText
  const guid = GUID.exec(guidText)
  if (!guid) return {reason: 'MachineGuid is not a GUID', raw: escapeRaw(guidText)}
  if (!isObject(doc.os))
    return {reason: 'OS caption and build are missing', raw: escapeRaw(JSON.stringify(doc.os) ?? '')}
  const caption = text(doc.os.caption, 'OS caption')
  if (typeof caption !== 'string') return caption
  const version = text(doc.os.version ?? '', 'OS version', 64)
  if (typeof version !== 'string') return version
  const build = text(doc.os.build ?? '', 'OS build', 64)
  if (typeof build !== 'string') return build
  const serial = text(doc.bios_serial ?? '', 'BIOS serial')
  if (typeof serial !== 'string') return serial
  const adapters = listOf(doc.adapters)
  if (!adapters) return {reason: 'adapters are not a list', raw: escapeRaw(JSON.stringify(doc.adapters))}
  if (adapters.length > MAX_VALUES) return {reason: `more than ${MAX_VALUES} physical adapters`}
  const macs: string[] = []
  const ips: string[] = []
  for (const a of adapters) {
    if (!isObject(a)) return {reason: 'an adapter entry is malformed', raw: escapeRaw(JSON.stringify(a))}
    const mac = text(a.mac, 'adapter MAC')
    if (typeof mac !== 'string') return mac
    const m = checkMac(mac, 'adapter MAC')
    if (typeof m !== 'string') return m
    if (!macs.includes(m)) macs.push(m)
    const list = listOf(a.ips)
    if (!list) return {reason: `adapter ${m}: ips are not a list`, raw: escapeRaw(JSON.stringify(a.ips))}
    for (const item of list) {
      // An adapter's empty address slot says nothing about where the machine is; the client's `ips` stay strict.
      if (item === '' || item === null) continue
      const s = text(item, `adapter ${m} IP`, 64)
      if (typeof s !== 'string') return s
      // Windows appends an IPv6 zone (`%12`) on link-local addresses; the zone is local to that machine.
      const ip = checkIp(s.replace(/%[0-9A-Za-z]+$/, ''), `adapter ${m} IP`)
      if (typeof ip !== 'string') return ip
      if (!ips.includes(ip) && ips.length < MAX_VALUES) ips.push(ip)
    }
  }
  const name = [caption, version].filter(Boolean).join(' ').slice(0, 256)
  return {
    hostname,
    machine_id: guid[1].toLowerCase(),
    name,
    ...(computerName ? {computer_name: computerName} : {}),
    ...(build ? {build} : {}),
    ...(serial ? {serial} : {}),
    macs,
    ips,
  }
}

/**
 * Pure parser for the `windows` profile: decodes the output (UTF-8 with or without BOM, UTF-16 with BOM, CP932),
 * confirms the reading with the document's mark, and turns the document into the same facts as the Linux probe.
 * Invalid bytes, control characters, a repeated value, a value of the wrong registry type or outside its enum make
 * the outcome `output-invalid` with the raw value escaped; a missing key or a part the script could not read is
 * `probe-failed`.
 */
export function parseWindows(run: ProbeRun): ProbeParse {
  const read = readDocument(run)
  const fail = (p: Problem): ProbeParse => ({
    ok: false,
    outcome: p.outcome ?? 'output-invalid',
    reason: p.reason,
    ...(p.raw === undefined ? {} : {raw: p.raw}),
  })
  if (!('doc' in read)) return fail(read)
  const {doc} = read
  const errors = listOf(doc.errors)
  if (!errors) return fail({reason: 'errors is not a list', raw: escapeRaw(JSON.stringify(doc.errors))})
  if (errors.length > 0)
    return fail({
      outcome: 'probe-failed',
      reason: `the probe could not read: ${escapeRaw(errors.map(String).join('; '), 1024)}`,
    })
  const client = clientFrom(doc.client)
  if (!('role' in client)) return fail(client)
  const os = osFrom(doc)
  if (!('hostname' in os)) return fail(os)
  return {ok: true, client, os}
}

/** The built-in Windows probe: the client's registry key and the machine's identity, in one PowerShell command. */
export const windowsProfile: ProbeProfile = {
  name: 'windows',
  description: `reads HKLM\\${WINDOWS_CLIENT_KEY}, the computer name, MachineGuid, BIOS serial, physical adapters and OS caption/build in one powershell.exe -EncodedCommand`,
  command: WINDOWS_COMMAND,
  parse: parseWindows,
}

/** The registry entry: `windows` (not adaptable by data yet). */
export const windowsSource: ProbeSource = {profile: windowsProfile}
