import {html} from './html.js'
import {json} from './json.js'
import {junit} from './junit.js'
import {markdown} from './markdown.js'
import {sarif} from './sarif.js'
import {table} from './table.js'
import {type Format, FORMATS, type Reporter} from './types.js'

/** The explicit registry of reporters; `--format` choices are its keys. */
export const reporters = {table, json, junit, markdown, sarif, html} satisfies Record<Format, Reporter>
export {FORMATS}
export type {Format, RenderOptions, Reporter} from './types.js'
export {sanitize, sanitizeLine} from '../io/text.js'
export {buildPageData, type ReportDetails, type ReportEvent, type RunInputs} from './html-model.js'
export {summaryText} from './summary.js'
export {displayWidth, padDisplay, wrapText} from './width.js'
