import type {ProbeProfile} from './types.js'
import {checkProbePath, LINUX_PATHS, type LinuxPaths, linuxProfile, makeLinuxProfile} from './linux/index.js'
import {windowsProfile} from './windows/index.js'

/** Built-in probe profiles by name; callers may add their own through `CollectOptions.profiles`. */
export const builtinProfiles: Readonly<Record<string, ProbeProfile>> = Object.freeze({linux: linuxProfile, windows: windowsProfile})

/** The profile registry for one run: built-ins overlaid with the caller's profiles. */
export function profileRegistry(extra: Record<string, ProbeProfile> = {}): Map<string, ProbeProfile> {
  return new Map(Object.entries({...builtinProfiles, ...extra}))
}

/**
 * A profile declared as data (e.g. a `profiles:` block of an inventory): a built-in base with its files moved, for a
 * client version that keeps terminal.conf elsewhere. A later Windows base would take registry paths the same way.
 */
export interface ProfileData {
  name: string
  base: 'linux'
  paths?: Partial<LinuxPaths>
}

/** Builds a profile from data, or says what is wrong with the data (paths are checked: they end up in a command). */
export function profileFromData(data: ProfileData): ProbeProfile | {problems: string[]} {
  const problems: string[] = []
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(data.name)) problems.push(`profile name ${JSON.stringify(data.name)}: use a-z, 0-9 and -`)
  if (data.base !== 'linux') problems.push(`profile ${data.name}: unknown base ${JSON.stringify(data.base)} (known: linux)`)
  const paths = {...LINUX_PATHS, ...data.paths}
  for (const [key, p] of Object.entries(paths)) {
    const problem = checkProbePath(p)
    if (problem) problems.push(`profile ${data.name}: paths.${key} ${problem}`)
  }
  return problems.length > 0 ? {problems} : makeLinuxProfile(data.name, paths)
}

export {linuxProfile, LINUX_COMMAND, LINUX_PATHS, makeLinuxProfile, parseLinux, type LinuxPaths} from './linux/index.js'
export {parseTerminalConf} from './terminal-conf.js'
export {CMD_EXE_MAX, encodeCommand, parseWindows, WINDOWS_CLIENT_KEY, WINDOWS_COMMAND, WINDOWS_SCRIPT, windowsProfile} from './windows/index.js'
export {decodeCandidates, type WireEncoding} from './decode.js'
export type {ProbeProfile, ProbeParse, ProbeRun} from './types.js'
