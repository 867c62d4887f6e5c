/**
 * The public API of the core; `commands/` imports only from here.
 *
 * Start-up is paid once per command, not for the whole core: what is exported directly comes from small modules
 * (constants, errors, text helpers), and everything that pulls in a stage (YAML, rules and CEL, SQLite, SSH, DuckDB,
 * the reporters) is a `lazy` function that imports its module on first call. So `--help`, `rules list` or
 * `ledger list` never load the parts they do not run.
 */

/** An async function of module `M`, loaded on first call. Only async functions can be deferred this way. */
type AsyncKey<M> = {[K in keyof M]: M[K] extends (...args: never[]) => Promise<unknown> ? K : never}[keyof M]
/** A sync function of module `M`, turned into an async one that loads `M` on first call. */
type Deferred<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never

function lazy<M, K extends AsyncKey<M>>(load: () => Promise<M>, key: K): M[K] {
  return (async (...args: unknown[]) => ((await load())[key] as (...a: unknown[]) => unknown)(...args)) as M[K]
}

function deferred<M, K extends keyof M>(load: () => Promise<M>, key: K): Deferred<M[K]> {
  return (async (...args: unknown[]) => ((await load())[key] as (...a: unknown[]) => unknown)(...args)) as Deferred<
    M[K]
  >
}

const audit = () => import('./app/audit.js')
const evidence = () => import('./app/evidence/index.js')
const live = () => import('./app/live.js')
const ledgerOps = () => import('./app/ledger.js')
const ledgerRead = () => import('./app/ledger-read.js')
const inventoryDiff = () => import('./app/inventory-diff.js')

// Light: loaded by every command.
export {CONFIG_FILE, type ConfigValues, loadConfig} from './io/config.js'
export {
  ConfigError,
  FleetAuditError,
  formatProblem,
  InputError,
  InventoryError,
  type Problem,
  RulePackError,
} from './model/errors.js'
export {EXIT, exitCodeFor, exitCodeOf, type Verdict} from './policy/exit-code.js'
export {FAIL_ON_CHOICES, type FailOn, isFailing} from './model/result.js'
export type * from './model/types.js'
export {SEVERITIES} from './model/types.js'
export {FORMATS, type Format} from './report/types.js'
export {sanitize, sanitizeLine} from './io/text.js'
export {summaryText} from './report/summary.js'
export {displayWidth, padDisplay, wrapText} from './report/width.js'
export {type Lang, severityLabel, zoneKindLabel} from './model/i18n.js'
export {DEFAULT_MAX_FILE_SIZE} from './io/read.js'
export {writeFileAtomic} from './io/write.js'
export {VERSION} from './io/paths.js'
export {dayIn, endOfDayIn, formatInZone, parseNow} from './io/time.js'
export {editDistance, nearest} from './io/suggest.js'
export {COLLECT_DEFAULTS} from './collect/defaults.js'
export {parseShard} from './collect/select.js'
export {collectClosingLine, listIds} from './collect/messages.js'
export {defaultLedgerPath} from './ledger/path.js'
export {EVENT_KINDS, type EventKind, type EventWithState} from './model/ledger.js'
export {parsePeriod} from './facts/logs/time.js'
export type {AuditDeps, AuditOptions} from './app/inputs.js'
export type {AuditResult, NotEvaluated, RuleSummary} from './model/result.js'
export type {ReportDetails} from './report/html-model.js'
export type {BundleVerification, CreateBundleResult} from './app/evidence/index.js'
export type {Rule} from './rules/types.js'
export type {DiffResult} from './app/inventory-diff.js'
export type {TerminalChange} from './inventory/diff.js'
export type {CheckItem, CollectSummary, LiveOptions} from './app/live.js'
export type {CollectOptions, CollectProgress} from './collect/index.js'
export type {RecheckOutcome} from './app/ledger.js'
export type {LedgerReadContext} from './app/ledger-read.js'
export type {VerifyResult} from './ledger/verify.js'
export type {LogProgress, LogReviewOptions} from './rules/logs/review.js'
export type {GenerateLogsOptions} from './facts/logs/generate.js'
export type {StoredReview} from './ledger/log-reviews.js'
export type {LogReviewSummary} from './model/logs.js'

// Deferred: each loads its stage on first call.
export const runAudit = lazy(audit, 'runAudit')
export const loadFacts = lazy(() => import('./facts/load.js'), 'loadFacts')
export const loadInventory = lazy(() => import('./inventory/load.js'), 'loadInventory')
export const loadRules = lazy(() => import('./rules/load.js'), 'loadRules')
/** The built-in rule packs' folder (a constant that would otherwise load the rule loader and CEL). */
export {BUILTIN_RULES_DIR} from './rules/dir.js'
export const renderReport = lazy(() => import('./report/render.js'), 'renderReport')
export const createBundle = lazy(evidence, 'createBundle')
export const loadReportDetails = lazy(evidence, 'loadReportDetails')
export const runAuditReport = lazy(evidence, 'runAuditReport')
export const verifyBundle = lazy(evidence, 'verifyBundle')
export {LAYOUT as EVIDENCE_LAYOUT} from './app/evidence/layout.js'
export const isArchivePath = deferred(evidence, 'isArchivePath')
export const runDiff = lazy(inventoryDiff, 'runDiff')
export const renderPlan = deferred(inventoryDiff, 'renderPlan')
export const renderPreexisting = deferred(inventoryDiff, 'renderPreexisting')
export const scaffoldInventory = lazy(() => import('./app/init.js'), 'scaffoldInventory')
export const runCheck = lazy(live, 'runCheck')
export const runCollect = lazy(live, 'runCollect')
export const runLiveAudit = lazy(live, 'runLiveAudit')
export const withLedger = lazy(ledgerRead, 'withLedger')
export const ledgerReadContext = lazy(ledgerRead, 'ledgerReadContext')
export const exportLedger = lazy(ledgerOps, 'exportLedger')
export const importLedger = lazy(ledgerOps, 'importLedger')
export const recheckLedger = lazy(ledgerOps, 'recheckLedger')
export const recordLedgerEvent = lazy(ledgerOps, 'recordLedgerEvent')
export const verifyLedgerFile = lazy(ledgerOps, 'verifyLedgerFile')
export const writeKeyPair = lazy(ledgerOps, 'writeKeyPair')
export const diffRuns = deferred(() => import('./ledger/history.js'), 'diffRuns')
export const listRuns = deferred(() => import('./ledger/history.js'), 'listRuns')
export const terminalAt = deferred(() => import('./ledger/history.js'), 'terminalAt')
export const ledgerOwner = deferred(() => import('./ledger/owner.js'), 'ledgerOwner')
export const listEvents = deferred(() => import('./ledger/list.js'), 'listEvents')
export const verifyLedger = deferred(() => import('./ledger/verify.js'), 'verifyLedger')
export const runLogReview = lazy(() => import('./app/logs-start.js'), 'runLogReview')
export const generateLogs = lazy(() => import('./facts/logs/generate.js'), 'generateLogs')
export const listReviews = deferred(() => import('./ledger/log-reviews.js'), 'listReviews')
