import {Flags} from '@oclif/core'

import {type AuditResult, exitCodeFor, type FailOn, type Format, FORMATS, type ReportDetails, reporters} from '../../src/index.js'
import {fromConfig} from './base.js'

export const formatFlag = Flags.option({
  char: 'f',
  summary: 'Report format.',
  options: FORMATS,
  env: 'FLEET_AUDIT_FORMAT',
  noCacheDefault: true,
    default: fromConfig<Format>('format', () => 'table'),
})()

/** Exit-code help shared by every report command. */
export const EXIT_HELP = `EXIT CODES
  0  nothing at or above --fail-on (waived findings never count)
  1  findings at or above --fail-on
  2  unusable input: inventory, rules, waivers, config, flags or facts folder (one line per problem: file:line:column reason)`

/** Renders a result in the chosen format and sets the exit code; the reporter never decides it. */
export function renderResult(
  result: AuditResult,
  flags: {format: Format; lang: 'en' | 'ja'; 'fail-on': FailOn; output?: string},
  details?: ReportDetails,
): {text: string; exitCode: 0 | 1} {
  const color = flags.format === 'table' && !flags.output && Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env)
  const text = reporters[flags.format].render(result, {lang: flags.lang, color, cwd: process.cwd(), details})
  return {text, exitCode: exitCodeFor(result, flags['fail-on'])}
}
