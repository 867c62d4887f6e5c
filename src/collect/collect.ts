import {InputError, type Problem} from '../model/errors.js'
import {MAX_SETTINGS_FILE_SIZE, readTextFile} from '../io/read.js'
import type {Terminal} from '../model/types.js'
import {loadCredentials} from './credentials.js'
import {parseKnownHosts} from './known-hosts.js'
import {profileRegistry} from '../facts/probes/index.js'
import {COLLECT_DEFAULTS} from './defaults.js'
import {type Plan, type Resolved, Run} from './run.js'
import {resolveAddress} from './target.js'
import type {CollectDeps, CollectOptions, CollectResult} from './types.js'

/** Settings that make collection impossible (exit 2), all found before any connection is opened. */
export class CollectInputError extends InputError {}

/** A problem about one terminal, at the place it is declared (its `ssh` block when known). */
function terminalProblem(t: Terminal, message: string, field = 'ssh'): Problem {
  const at = t.fieldSources[field] ?? t.source
  return {code: 'E_COLLECT', message: `terminal ${t.id}: ${message}`, file: at.file, line: at.line, column: at.column}
}

/**
 * Collects facts from every terminal given (the caller selects them, see `selectTerminals`) at bounded concurrency.
 * Every terminal attempted gets a facts document, `ok` or its class of failure; an abort returns what was collected.
 * Throws `CollectInputError` before any connection when settings, credentials or profiles are unusable.
 */
export async function collect(
  terminals: Terminal[],
  options: CollectOptions,
  deps: CollectDeps,
): Promise<CollectResult> {
  const o: Resolved = {...COLLECT_DEFAULTS, ...stripUndefined(options)}
  const profiles = profileRegistry(options.profiles)
  const problems: Problem[] = []
  const plans: Plan[] = []
  for (const t of terminals) {
    const addr = resolveAddress(t)
    const profileName = t.ssh.profile ?? o.defaultProfile
    const profile = profiles.get(profileName)
    const user = t.ssh.user ?? options.user
    if ('problem' in addr) problems.push(terminalProblem(t, addr.problem, 'address'))
    if (!profile)
      problems.push(
        terminalProblem(t, `unknown probe profile "${profileName}" (known: ${[...profiles.keys()].join(', ')})`),
      )
    if (!user) problems.push(terminalProblem(t, 'no SSH user (set ssh.user in the inventory defaults or pass a user)'))
    if ('host' in addr && profile && user) plans.push({terminal: t, ...addr, user, profile})
  }
  const setting = (message: string): Problem => ({code: 'E_COLLECT_SETTING', message})
  for (const [name, v] of Object.entries({
    concurrency: o.concurrency,
    attempts: o.attempts,
    maxOutputBytes: o.maxOutputBytes,
  }))
    if (!Number.isInteger(v) || v < 1) problems.push(setting(`${name} must be a positive integer`))
  for (const [name, v] of Object.entries({
    connectTimeoutMs: o.connectTimeoutMs,
    commandTimeoutMs: o.commandTimeoutMs,
    deadlineMs: o.deadlineMs ?? 1,
  }))
    if (!(v > 0)) problems.push(setting(`${name} must be positive`))
  const creds = await loadCredentials(options, deps.env ?? process.env)
  problems.push(...creds.problems.map(setting))
  const knownHostsText = await readKnownHosts(options.knownHostsPath, problems)
  if (problems.length > 0) throw new CollectInputError(problems)
  const run = new Run(o, options, deps, creds.auth, parseKnownHosts(knownHostsText), knownHostsText)
  return run.all(plans)
}

/** known_hosts text; a missing file is empty, as for OpenSSH. */
async function readKnownHosts(path: string | undefined, problems: Problem[]): Promise<string> {
  if (!path) return ''
  // `--known-hosts /dev/null` is OpenSSH's idiom for "trust nothing recorded": empty, not a device to refuse.
  if (path === '/dev/null') return ''
  const read = await readTextFile(path, {maxBytes: MAX_SETTINGS_FILE_SIZE * 64})
  if (read.ok) return read.text
  if (read.problem.message !== 'cannot read: ENOENT') {
    problems.push({
      code: 'E_COLLECT_SETTING',
      message: `cannot read known_hosts (${read.problem.message.replace(/^cannot read: /, '')})`,
      file: path,
    })
  }

  return ''
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>
}
