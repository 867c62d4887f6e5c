/** Evidence of a run for auditors and third parties: a signed bundle of inputs and reports, and its verification. */
export {createBundle, type CreateBundleOptions, type CreateBundleResult, isArchivePath} from './create.js'
export {type BundleProblem, type BundleVerification, type TrustAnchor, verifyBundle} from './verify.js'
export type {ArchiveLimits} from './archive.js'
export {EVIDENCE_FORMAT, LAYOUT as EVIDENCE_LAYOUT, type Manifest} from './layout.js'
export {loadReportDetails, runAuditReport} from './report.js'
