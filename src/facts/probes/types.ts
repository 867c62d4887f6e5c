import type {ClientFacts, OsFacts, Outcome} from '../../model/types.js'

/** What a profile's parser makes of one command's output. */
export type ProbeParse =
  | {ok: true; client: ClientFacts; os: OsFacts}
  | {ok: false; outcome: Extract<Outcome, 'probe-failed' | 'output-invalid'>; reason: string; raw?: string}

/** The result of the one remote command a profile runs. */
export interface ProbeRun {
  stdout: Buffer
  stderr: Buffer
  /** Exit status, or null when the command ended by a signal or the status never came. */
  code: number | null
}

/**
 * A probe profile: one remote command and a pure parser for its output. Profiles are data, looked up by
 * `terminal.ssh.profile`; a Windows profile only needs another command and parser.
 */
export interface ProbeProfile {
  readonly name: string
  readonly description: string
  /** The command sent to the remote account's shell; one round trip per terminal. */
  readonly command: string
  parse(run: ProbeRun): ProbeParse
}

/**
 * One probe folder's entry in the registry (`facts/probes/index.ts`): its built-in profile and, when an inventory's
 * `profiles:` block may adapt it (`base: NAME`), the file paths such an entry may move and how to build the result.
 */
export interface ProbeSource {
  readonly profile: ProbeProfile
  readonly adapt?: {
    /** The paths an adapted profile may set, with the built-in's values. */
    readonly paths: Readonly<Record<string, string>>
    /** A problem with a path (it ends up in a remote command), or undefined. */
    check(path: string): string | undefined
    make(name: string, paths: Record<string, string>): ProbeProfile
  }
}
