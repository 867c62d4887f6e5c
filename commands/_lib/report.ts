import {Flags} from '@oclif/core'

import {
  type AuditResult,
  exitCodeFor,
  type FailOn,
  type Format,
  FORMATS,
  renderReport,
  type ReportDetails,
  summaryText,
} from '../../src/index.js'
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

/** Table width when standard output is not a terminal (piped, --output) and COLUMNS is not set. */
export const PIPED_WIDTH = 120

/**
 * Columns the table may use: COLUMNS when set (at least 40), else the terminal's width, else, piped or written to
 * a file, a fixed PIPED_WIDTH so logs and files do not depend on whoever ran the command.
 */
export function tableWidth(
  toFile: boolean,
  env: NodeJS.ProcessEnv = process.env,
  stdout: {isTTY?: boolean; columns?: number} = process.stdout,
): number {
  const columns = Number(env.COLUMNS)
  if (Number.isInteger(columns) && columns > 0) return Math.max(columns, 40)
  if (!toFile && stdout.isTTY && stdout.columns) return stdout.columns
  return PIPED_WIDTH
}

/**
 * Renders a result in the chosen format and sets the exit code; the reporter never decides it. `summary` is the
 * verdict line that a command writes to stderr when the report goes to a file, so a person still sees it.
 */
export async function renderResult(
  result: AuditResult,
  flags: {format: Format; lang: 'en' | 'ja'; 'fail-on': FailOn; output?: string},
  details?: ReportDetails,
): Promise<{text: string; exitCode: 0 | 1; summary: string}> {
  const color =
    flags.format === 'table' && !flags.output && Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env)
  const width = tableWidth(Boolean(flags.output))
  const text = await renderReport(flags.format, result, {lang: flags.lang, color, cwd: process.cwd(), width, details})
  return {text, exitCode: exitCodeFor(result, flags['fail-on']), summary: summaryText(result, flags.lang)}
}
