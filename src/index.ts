/** The public API of the core; `commands/` imports only from here. */
export {type AuditDeps, type AuditOptions, type AuditResult, runAudit, type RuleSummary} from './audit.js'
export {CONFIG_FILE, type ConfigValues, loadConfig} from './config.js'
export {ConfigError, FleetAuditError, formatProblem, InputError, InventoryError, type Problem, RulePackError} from './errors.js'
export {EXIT, exitCodeFor, FAIL_ON_CHOICES, type FailOn, isFailing} from './exit-code.js'
export {loadFacts} from './facts/load.js'
export {loadInventory} from './inventory/load.js'
export type * from './model.js'
export {SEVERITIES} from './model.js'
export {displayWidth, FORMATS, type Format, padDisplay, type ReportDetails, reporters, sanitize, sanitizeLine, summaryText, wrapText} from './report/index.js'
export {type Lang, severityLabel, zoneKindLabel} from './i18n.js'
export {
  type BundleVerification,
  createBundle,
  type CreateBundleResult,
  EVIDENCE_LAYOUT,
  isArchivePath,
  loadReportDetails,
  runAuditReport,
  verifyBundle,
} from './evidence/index.js'
export {BUILTIN_RULES_DIR, loadRules} from './rules/load.js'
export type {Rule} from './rules/types.js'
export {DEFAULT_MAX_FILE_SIZE} from './source/read.js'
export {writeFileAtomic} from './source/write.js'
export {VERSION} from './source/paths.js'
export {dayIn, parseNow} from './time.js'
export {type DiffResult, renderPlan, renderPreexisting, runDiff} from './diff.js'
export type {TerminalChange} from './inventory/diff.js'
export {scaffoldInventory} from './init.js'
export {editDistance, nearest} from './suggest.js'
export {type CheckItem, type CollectSummary, type LiveOptions, runCheck, runCollect, runLiveAudit} from './live.js'
export {COLLECT_DEFAULTS} from './collect/defaults.js'
export type {CollectOptions, CollectProgress} from './collect/index.js'
export {parseShard} from './collect/select.js'
export {collectClosingLine, listIds} from './collect/messages.js'
export {exportLedger, importLedger, ledgerReadContext, type LedgerReadContext, recheckLedger, type RecheckOutcome, recordLedgerEvent, verifyLedgerFile, withLedger, writeKeyPair} from './ledger-ops.js'
export {
  defaultLedgerPath,
  diffRuns,
  EVENT_KINDS,
  endOfDayIn,
  formatInZone,
  ledgerOwner,
  type EventKind,
  type EventWithState,
  listEvents,
  listRuns,
  terminalAt,
  verifyLedger,
  type VerifyResult,
} from './ledger/index.js'
export {type LogProgress, type LogReviewOptions} from './logs/review.js'
export {runLogReview} from './logs/run.js'
export {parsePeriod} from './logs/time.js'
export {generateLogs, type GenerateLogsOptions} from './logs/generate.js'
export {listReviews, type StoredReview} from './logs/store.js'
export type {LogReviewSummary} from './logs/types.js'
