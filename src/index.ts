/** The public API of the core; `commands/` imports only from here. */
export {runAudit} from './app/audit.js'
export {type AuditDeps, type AuditOptions} from './app/inputs.js'
export {type AuditResult, FAIL_ON_CHOICES, type FailOn, isFailing, type NotEvaluated, type RuleSummary} from './model/result.js'
export {CONFIG_FILE, type ConfigValues, loadConfig} from './io/config.js'
export {ConfigError, FleetAuditError, formatProblem, InputError, InventoryError, type Problem, RulePackError} from './model/errors.js'
export {EXIT, exitCodeFor, exitCodeOf, type Verdict} from './policy/exit-code.js'
export {loadFacts} from './facts/load.js'
export {loadInventory} from './inventory/load.js'
export type * from './model/types.js'
export {SEVERITIES} from './model/types.js'
export {displayWidth, FORMATS, type Format, padDisplay, type ReportDetails, reporters, sanitize, sanitizeLine, summaryText, wrapText} from './report/index.js'
export {type Lang, severityLabel, zoneKindLabel} from './model/i18n.js'
export {
  type BundleVerification,
  createBundle,
  type CreateBundleResult,
  EVIDENCE_LAYOUT,
  isArchivePath,
  loadReportDetails,
  runAuditReport,
  verifyBundle,
} from './app/evidence/index.js'
export {BUILTIN_RULES_DIR, loadRules} from './rules/load.js'
export type {Rule} from './rules/types.js'
export {DEFAULT_MAX_FILE_SIZE} from './io/read.js'
export {writeFileAtomic} from './io/write.js'
export {VERSION} from './io/paths.js'
export {dayIn, endOfDayIn, formatInZone, parseNow} from './io/time.js'
export {type DiffResult, renderPlan, renderPreexisting, runDiff} from './app/inventory-diff.js'
export type {TerminalChange} from './inventory/diff.js'
export {scaffoldInventory} from './app/init.js'
export {editDistance, nearest} from './io/suggest.js'
export {type CheckItem, type CollectSummary, type LiveOptions, runCheck, runCollect, runLiveAudit} from './app/live.js'
export {COLLECT_DEFAULTS} from './collect/defaults.js'
export type {CollectOptions, CollectProgress} from './collect/index.js'
export {parseShard} from './collect/select.js'
export {collectClosingLine, listIds} from './collect/messages.js'
export {exportLedger, importLedger, ledgerReadContext, type LedgerReadContext, recheckLedger, type RecheckOutcome, recordLedgerEvent, verifyLedgerFile, withLedger, writeKeyPair} from './app/ledger.js'
export {
  defaultLedgerPath,
  diffRuns,
  EVENT_KINDS,
  ledgerOwner,
  type EventKind,
  type EventWithState,
  listEvents,
  listRuns,
  terminalAt,
  verifyLedger,
  type VerifyResult,
} from './ledger/index.js'
export {type LogProgress, type LogReviewOptions} from './rules/logs/review.js'
export {runLogReview} from './app/logs.js'
export {parsePeriod} from './facts/logs/time.js'
export {generateLogs, type GenerateLogsOptions} from './facts/logs/generate.js'
export {listReviews, type StoredReview} from './ledger/log-reviews.js'
export type {LogReviewSummary} from './model/logs.js'
