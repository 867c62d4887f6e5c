import type {DeclaredProfile, ProbeCatalog} from '../../model/types.js'
import type {ProbeProfile, ProbeSource} from './types.js'
import {linuxSource} from './linux/index.js'
import {windowsSource} from './windows/index.js'

/**
 * The probe registry: one line per folder. Everything else (built-in names, `base:` values an inventory may adapt,
 * the paths each accepts, the reference checks of `inventory validate`) is derived from it.
 */
const SOURCES: readonly ProbeSource[] = [linuxSource, windowsSource]

/** Built-in probe profiles by name; callers may add their own through `CollectOptions.profiles`. */
export const builtinProfiles: Readonly<Record<string, ProbeProfile>> = Object.freeze(
  Object.fromEntries(SOURCES.map((s) => [s.profile.name, s.profile])),
)

/** What the inventory needs to know to check its `ssh.profile` references and `profiles:` entries. */
export const PROBE_CATALOG: ProbeCatalog = Object.freeze({
  builtin: SOURCES.map((s) => s.profile.name),
  bases: Object.fromEntries(SOURCES.flatMap((s) => (s.adapt ? [[s.profile.name, Object.keys(s.adapt.paths)]] : []))),
})

/** The profile registry for one run: built-ins overlaid with the caller's profiles. */
export function profileRegistry(extra: Record<string, ProbeProfile> = {}): Map<string, ProbeProfile> {
  return new Map(Object.entries({...builtinProfiles, ...extra}))
}

/** A profile declared as data (an inventory's `profiles:` entry): a built-in base with its files moved. */
export type ProfileData = Pick<DeclaredProfile, 'name' | 'base' | 'paths'>

/** Builds a profile from data, or says what is wrong with the data (paths are checked: they end up in a command). */
export function profileFromData(data: ProfileData): ProbeProfile | {problems: string[]} {
  const problems: string[] = []
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(data.name))
    problems.push(`profile name ${JSON.stringify(data.name)}: use a-z, 0-9 and -`)
  const adapt = SOURCES.find((s) => s.profile.name === data.base)?.adapt
  if (!adapt) {
    problems.push(
      `profile ${data.name}: unknown base ${JSON.stringify(data.base)} (known: ${Object.keys(PROBE_CATALOG.bases).join(', ')})`,
    )
    return {problems}
  }

  const paths: Record<string, string> = {...adapt.paths}
  for (const [key, p] of Object.entries(data.paths ?? {})) {
    if (!(key in adapt.paths))
      problems.push(
        `profile ${data.name}: paths.${key} is not a path of base ${data.base} (known: ${Object.keys(adapt.paths).join(', ')})`,
      )
    else paths[key] = p
  }

  for (const [key, p] of Object.entries(paths)) {
    const problem = adapt.check(p)
    if (problem) problems.push(`profile ${data.name}: paths.${key} ${problem}`)
  }

  return problems.length > 0 ? {problems} : adapt.make(data.name, paths)
}

export {linuxProfile, LINUX_COMMAND, LINUX_PATHS, makeLinuxProfile, parseLinux, type LinuxPaths} from './linux/index.js'
export {parseTerminalConf} from './terminal-conf.js'
export {
  CMD_EXE_MAX,
  encodeCommand,
  parseWindows,
  WINDOWS_CLIENT_KEY,
  WINDOWS_COMMAND,
  WINDOWS_SCRIPT,
  windowsProfile,
} from './windows/index.js'
export {decodeCandidates, type WireEncoding} from './decode.js'
export type {ProbeProfile, ProbeParse, ProbeRun, ProbeSource} from './types.js'
