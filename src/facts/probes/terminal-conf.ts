import {familyOf} from '../../io/address.js'

import {normalizeMac} from '../../io/mac.js'
import type {AuthMode, ClientFacts, Role} from '../../model/types.js'
import {escapeRaw, UNSAFE_CHAR} from '../../io/text.js'
import {isUtf8} from '../../io/utf8.js'

/** A reason the client's setting cannot be trusted, with the offending raw value escaped. */
export interface ConfProblem {
  reason: string
  raw?: string
}

const SINGLE = ['terminal_id', 'role', 'auth', 'serial'] as const
const ROLES: readonly Role[] = ['nw', 'retail']
const AUTHS: readonly AuthMode[] = ['idcard', 'device']
const MAC = /^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/
const MAX_VALUES = 64
const MAX_LEN = 256
/** With the `u` flag only unpaired surrogates match: text that no Unicode encoding can carry. */
const LONE_SURROGATE = /[\ud800-\udfff]/u

/**
 * Checks one line of remote output as bytes: valid UTF-8 and no control characters (tab and CR included: a
 * terminal.conf is plain `key=value` text, so anything else is refused rather than cleaned up).
 */
export function checkLine(line: Buffer, where: string): ConfProblem | string {
  if (!isUtf8(line)) return {reason: `${where}: invalid UTF-8`, raw: escapeRaw(line)}
  const text = line.toString('utf8')
  if (UNSAFE_CHAR.test(text)) return {reason: `${where}: control character`, raw: escapeRaw(line)}
  return text
}

/** Splits bytes into lines on `\n`; a final newline does not make an extra empty line. */
export function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = []
  let start = 0
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      lines.push(buf.subarray(start, i))
      start = i + 1
    }
  }
  if (start < buf.length) lines.push(buf.subarray(start))
  return lines
}

/**
 * Parses `/etc/eigyo/terminal.conf`: `key=value` lines, `#` comments and blank lines ignored, unknown keys ignored.
 * Values are taken exactly (no trimming): `role=NW ` is not a role. `mac` and `ip` repeat once per value.
 */
export function parseTerminalConf(buf: Buffer, file = 'terminal.conf'): ClientFacts | ConfProblem {
  const single: Partial<Record<(typeof SINGLE)[number], string>> = {}
  const macs: string[] = []
  const ips: string[] = []
  for (const [i, lineBuf] of splitLines(buf).entries()) {
    const where = `${file} line ${i + 1}`
    const line = checkLine(lineBuf, where)
    if (typeof line !== 'string') return line
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) return {reason: `${where}: not a key=value line`, raw: escapeRaw(line)}
    const key = line.slice(0, eq)
    const value = line.slice(eq + 1)
    if (value.length > MAX_LEN)
      return {reason: `${where}: ${key} longer than ${MAX_LEN} characters`, raw: escapeRaw(line)}
    if ((SINGLE as readonly string[]).includes(key)) {
      const k = key as (typeof SINGLE)[number]
      if (single[k] !== undefined) return {reason: `${where}: ${key} repeated (single-valued)`, raw: escapeRaw(line)}
      single[k] = value
    } else if (key === 'mac') {
      if (!MAC.test(value)) return {reason: `${where}: mac is not a MAC address`, raw: escapeRaw(value)}
      macs.push(normalizeMac(value))
    } else if (key === 'ip') {
      if (familyOf(value) === undefined) return {reason: `${where}: ip is not an IP address`, raw: escapeRaw(value)}
      ips.push(value)
    }
    if (macs.length > MAX_VALUES || ips.length > MAX_VALUES)
      return {reason: `${where}: more than ${MAX_VALUES} ${key} values`, raw: escapeRaw(line)}
  }
  return checkClient(single, macs, ips, file)
}

/**
 * The checks every probe applies once the client's values are read, whatever their source (terminal.conf lines or
 * registry values): the four single values present and not empty, `role` and `auth` inside their enums (exactly: no
 * trimming, no case folding). `where` names the source in reasons.
 */
export function checkClient(
  single: Partial<Record<(typeof SINGLE)[number], string>>,
  macs: string[],
  ips: string[],
  where: string,
): ClientFacts | ConfProblem {
  for (const k of SINGLE) {
    if (single[k] === undefined) return {reason: `${where}: ${k} missing`}
    if (single[k] === '') return {reason: `${where}: ${k} is empty`, raw: ''}
  }
  if (!(ROLES as readonly string[]).includes(single.role!))
    return {reason: `${where}: role must be one of ${ROLES.join('|')}`, raw: escapeRaw(single.role!)}
  if (!(AUTHS as readonly string[]).includes(single.auth!))
    return {reason: `${where}: auth must be one of ${AUTHS.join('|')}`, raw: escapeRaw(single.auth!)}
  return {
    terminal_id: single.terminal_id!,
    role: single.role as Role,
    auth: single.auth as AuthMode,
    serial: single.serial!,
    macs,
    ips,
  }
}

/** Checks one text value that did not come as a line (a registry value, an OS property): no control character, bounded. */
export function checkText(value: string, where: string, maxLen = MAX_LEN): ConfProblem | string {
  if (LONE_SURROGATE.test(value) || value.includes('\ufffd'))
    return {reason: `${where}: invalid character (not valid Unicode)`, raw: escapeRaw(value)}
  if (UNSAFE_CHAR.test(value)) return {reason: `${where}: control character`, raw: escapeRaw(value)}
  if (value.length > maxLen) return {reason: `${where}: longer than ${maxLen} characters`, raw: escapeRaw(value)}
  return value
}

/** A MAC address as the client or the OS gives it, normalized; a problem when it is not one. */
export function checkMac(value: string, where: string): ConfProblem | string {
  if (!MAC.test(value)) return {reason: `${where}: not a MAC address`, raw: escapeRaw(value)}
  return normalizeMac(value)
}

/** An IP address (v4 or v6); a problem when it is not one. */
export function checkIp(value: string, where: string): ConfProblem | string {
  if (familyOf(value) === undefined) return {reason: `${where}: not an IP address`, raw: escapeRaw(value)}
  return value
}

export {MAX_LEN, MAX_VALUES, SINGLE}
