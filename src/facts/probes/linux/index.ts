import type {OsFacts} from '../../../model/types.js'
import {escapeRaw} from '../../../io/text.js'
import type {ProbeParse, ProbeProfile, ProbeRun, ProbeSource} from '../types.js'
import {checkLine, parseTerminalConf, splitLines} from '../terminal-conf.js'

const MARK = '@@fleet-audit'

/** Where the Linux probe reads from; a data-defined profile may move the client's file. */
export interface LinuxPaths {
  conf: string
  machineId: string
  osRelease: string
}

export const LINUX_PATHS: Readonly<LinuxPaths> = Object.freeze({
  conf: '/etc/eigyo/terminal.conf',
  machineId: '/etc/machine-id',
  osRelease: '/etc/os-release',
})

/** Paths go into a shell command: absolute, plain characters only, and single-quoted anyway. */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]{1,255}$/

/** A problem with a path, or undefined when it may be used. */
export function checkProbePath(path: string): string | undefined {
  return SAFE_PATH.test(path) && !path.split('/').includes('..')
    ? undefined
    : `not an absolute plain path: ${JSON.stringify(path)}`
}

/**
 * One POSIX sh command: each section starts on its own line with `@@fleet-audit <name>`; files get a `<name>.status`
 * section (`0`, cat's exit status, or `missing`). Every section is always printed, so a file that forges a marker
 * line produces a repeated section, which the parser refuses.
 */
function linuxCommand(paths: LinuxPaths = LINUX_PATHS): string {
  for (const p of Object.values(paths)) if (checkProbePath(p)) throw new Error(checkProbePath(p))
  return [
    `p(){ printf '\\n${MARK} %s\\n' "$1"; }`,
    `f(){ p "$1"; if [ -e "$2" ]; then cat -- "$2" 2>/dev/null; s=$?; else s=missing; fi; p "$1.status"; echo "$s"; }`,
    `f conf '${paths.conf}'`,
    'p hostname; uname -n',
    `f machine-id '${paths.machineId}'`,
    `f os '${paths.osRelease}'`,
    'p end',
  ].join('; ')
}

/** The built-in Linux probe command. */
export const LINUX_COMMAND = linuxCommand()

const SECTIONS = ['conf', 'conf.status', 'hostname', 'machine-id', 'machine-id.status', 'os', 'os.status', 'end']
const MARKER = new RegExp(`\\n${MARK} ([a-z.-]+)\\n`, 'g')

/** Splits the output into named sections (bytes kept exactly), or says why the layout is wrong. */
function splitSections(
  stdout: Buffer,
): Map<string, Buffer> | {outcome: 'probe-failed' | 'output-invalid'; reason: string} {
  // latin1 maps bytes 1:1 to code units, so offsets found in the string are byte offsets.
  const text = stdout.toString('latin1')
  const found: Array<{name: string; start: number; end: number}> = []
  for (const m of text.matchAll(MARKER)) found.push({name: m[1], start: m.index!, end: m.index! + m[0].length})
  const sections = new Map<string, Buffer>()
  for (const [i, f] of found.entries()) {
    if (sections.has(f.name))
      return {outcome: 'output-invalid', reason: `section "${f.name}" appears twice (forged marker in a file?)`}
    if (!SECTIONS.includes(f.name)) return {outcome: 'output-invalid', reason: `unexpected section "${f.name}"`}
    const next = found[i + 1]?.start ?? stdout.length
    sections.set(f.name, stdout.subarray(f.end, next))
  }
  const order = [...sections.keys()]
  if (order.join() !== SECTIONS.slice(0, order.length).join())
    return {outcome: 'output-invalid', reason: `sections out of order: ${order.join(', ')}`}
  if (order.length < SECTIONS.length)
    return {outcome: 'probe-failed', reason: `output ended before section "${SECTIONS[order.length]}"`}
  return sections
}

/** The one line a section holds, without its trailing newline; a problem when it is not one clean line. */
function oneLine(buf: Buffer, where: string): string | {reason: string; raw?: string} {
  const lines = splitLines(buf)
  if (lines.length !== 1) return {reason: `${where}: expected one line, got ${lines.length}`, raw: escapeRaw(buf)}
  return checkLine(lines[0], where)
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0])
    return v.slice(1, -1).replace(/\\(.)/g, '$1')
  return v
}

/** PRETTY_NAME from os-release text (empty when absent); the file is parsed, never sourced. */
function prettyName(buf: Buffer, file = LINUX_PATHS.osRelease): string | {reason: string; raw?: string} {
  for (const [i, lineBuf] of splitLines(buf).entries()) {
    if (!lineBuf.subarray(0, 12).equals(Buffer.from('PRETTY_NAME='))) continue
    const line = checkLine(lineBuf, `${file} line ${i + 1}`)
    if (typeof line !== 'string') return line
    return unquote(line.slice('PRETTY_NAME='.length)).slice(0, 256)
  }
  return ''
}

/** Pure parser for the `linux` profile's output (`paths` only name files in messages). */
export function parseLinux(run: ProbeRun, paths: LinuxPaths = LINUX_PATHS): ProbeParse {
  const CONF = paths.conf
  const bad = (reason: string, raw?: string): ProbeParse => ({
    ok: false,
    outcome: 'output-invalid',
    reason,
    ...(raw === undefined ? {} : {raw}),
  })
  const failed = (reason: string, raw?: string): ProbeParse => ({
    ok: false,
    outcome: 'probe-failed',
    reason,
    ...(raw === undefined ? {} : {raw}),
  })
  const sections = splitSections(run.stdout)
  if (!(sections instanceof Map)) {
    const stderr = run.stderr.length > 0 ? escapeRaw(run.stderr) : undefined
    return sections.outcome === 'output-invalid'
      ? bad(sections.reason)
      : failed(`${sections.reason} (exit ${run.code ?? 'none'})`, stderr)
  }
  const status = (name: string): string => sections.get(`${name}.status`)!.toString('latin1').trim()
  const confStatus = status('conf')
  if (confStatus === 'missing') return failed(`${CONF} is missing`)
  if (confStatus !== '0') return failed(`${CONF} could not be read (cat exit ${escapeRaw(confStatus, 16)})`)
  const client = parseTerminalConf(sections.get('conf')!, CONF)
  if (!('role' in client)) return bad(client.reason, client.raw)
  const hostname = oneLine(sections.get('hostname')!, 'hostname')
  if (typeof hostname !== 'string') return bad(hostname.reason, hostname.raw)
  if (hostname === '') return bad('hostname is empty')
  const midStatus = status('machine-id')
  if (midStatus !== '0')
    return failed(`${paths.machineId} ${midStatus === 'missing' ? 'is missing' : 'could not be read'}`)
  const machineId = oneLine(sections.get('machine-id')!, paths.machineId)
  if (typeof machineId !== 'string') return bad(machineId.reason, machineId.raw)
  if (!/^[0-9a-f]{32}$/.test(machineId))
    return bad(`${paths.machineId} is not 32 lowercase hex digits`, escapeRaw(machineId))
  let name: string | {reason: string; raw?: string} = ''
  if (status('os') === '0') name = prettyName(sections.get('os')!, paths.osRelease)
  if (typeof name !== 'string') return bad(name.reason, name.raw)
  const os: OsFacts = {hostname: hostname.slice(0, 256), machine_id: machineId, name}
  return {ok: true, client, os}
}

/** A Linux probe reading the given files; `linux` is this with the standard paths. */
export function makeLinuxProfile(name = 'linux', paths: LinuxPaths = LINUX_PATHS): ProbeProfile {
  return {
    name,
    description: `reads ${paths.conf}, uname -n, ${paths.machineId} and ${paths.osRelease} in one sh command`,
    command: linuxCommand(paths),
    parse: (run) => parseLinux(run, paths),
  }
}

/** The built-in Linux probe: the client's terminal.conf, hostname, machine id and OS name, in one command. */
export const linuxProfile: ProbeProfile = makeLinuxProfile()

/** The registry entry: `linux`, adaptable by an inventory's `profiles:` block (`base: linux`, `paths:`). */
export const linuxSource: ProbeSource = {
  profile: linuxProfile,
  adapt: {
    paths: LINUX_PATHS,
    check: checkProbePath,
    make: (name, paths) => makeLinuxProfile(name, paths as unknown as LinuxPaths),
  },
}
