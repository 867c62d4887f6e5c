/** The ledger: store, events, acknowledgements, signed hand-offs, verification and audit history. */
export {LedgerError} from './errors.js'
export {
  openLedger,
  asLedgerError,
  schemaVersion,
  migrate,
  prepare,
  BUSY_TIMEOUT_MS,
  PAGE_SIZE,
  type LedgerDb,
  type OpenOptions,
} from './store.js'
export {defaultLedgerPath} from './path.js'
export {MIGRATIONS, SCHEMA_VERSION} from './migrations/index.js'
export {
  EVENT_KINDS,
  RECHECK_KINDS,
  type EventKind,
  type AckState,
  type LedgerEvent,
  type LedgerAck,
  type AckSummary,
  type EventWithState,
} from '../model/ledger.js'
export {recordEvent, recordEvents, eventChainHead, type EventInput, type RecordedEvents} from './events.js'
export {listEvents, type EventFilter} from './list.js'
export {recordAck, ackStateFor, type AckInput} from './acks.js'
export {
  verifyLedger,
  type VerifyResult,
  type VerifyOptions,
  type VerifyProblem,
  type ChainSummary,
  type TamperKind,
} from './verify.js'
export {generateKeyPair, readPublicKey, keyFingerprint, type KeyPair, type Signature} from './keys.js'
export {
  exportHandoff,
  exportAcks,
  prepareExport,
  importHandoff,
  importAcks,
  importStreaming,
  checkAcross,
  type ExportOptions,
  type ExportResult,
  type PreparedExport,
  type ImportOptions,
  type ImportResult,
  type Sides,
} from './handoff.js'
export {ledgerOwner, claimOwner, type LedgerOwner} from './owner.js'
export {type ChainHead, currentHeads, signHeads, headSignedBy} from './heads.js'
export {checkGuards} from './guards.js'
export {readHandoff, type VerifiedHandoff, type ReadHandoffOptions} from './handoff-check.js'
export {parseHandoff, HANDOFF_FORMAT, HANDOFF_FORMATS, type HandoffContent, type HandoffType} from './handoff-format.js'
export {ledgerView, loadHandoffFiles, type LedgerView, type ViewEvent, type LoadedHandoffFile} from './view.js'
export {
  recordRun,
  listRuns,
  runFindings,
  diffRuns,
  terminalAt,
  type RunInput,
  type RunSummary,
  type RunDiff,
  type TerminalAt,
} from './history.js'
export {canonicalJson, hashEvent, hashAck} from './hash.js'
