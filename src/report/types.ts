import {type AuditResult} from '../model/result.js'
import type {ReportDetails} from './html-model.js'

/** The report formats; `--format` offers exactly the keys of the registry. */
export type Format = 'table' | 'json' | 'junit' | 'markdown' | 'sarif' | 'html'
/** The `--format` choices, in the registry's order (report/index.ts checks that they are its keys). */
export const FORMATS: readonly Format[] = ['table', 'json', 'junit', 'markdown', 'sarif', 'html']

/** Options a reporter may use; machine formats ignore language and colour. */
export interface RenderOptions {
  lang: 'en' | 'ja'
  color: boolean
  /** Folder that SARIF paths are made relative to. */
  cwd: string
  /** What the HTML report shows beyond the result (declared data, facts, ledger events, input hashes); others ignore it. */
  details?: ReportDetails
  /** Columns the table may use (the terminal's width, COLUMNS, or a fixed width when piped); none: unlimited. */
  width?: number
}

/** Turns a result into text. Reporters never decide the exit code. */
export interface Reporter {
  readonly name: Format
  render(result: AuditResult, options: RenderOptions): string
}
