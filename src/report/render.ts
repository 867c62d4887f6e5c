import type {AuditResult} from '../model/result.js'
import type {Format, RenderOptions, Reporter} from './types.js'

/** Each reporter's module, loaded only when its format is asked for (the table alone loads chalk and cli-table3). */
const LOADERS: Record<Format, () => Promise<Reporter>> = {
  table: async () => (await import('./table.js')).table,
  json: async () => (await import('./json.js')).json,
  junit: async () => (await import('./junit.js')).junit,
  markdown: async () => (await import('./markdown.js')).markdown,
  sarif: async () => (await import('./sarif.js')).sarif,
  html: async () => (await import('./html.js')).html,
}

/** Renders a result with the reporter of `format` (the same reporters as the registry in ./index.ts). */
export async function renderReport(format: Format, result: AuditResult, options: RenderOptions): Promise<string> {
  return (await LOADERS[format]()).render(result, options)
}
