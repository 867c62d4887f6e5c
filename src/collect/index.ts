/** SSH collection: terminals in, facts documents out. The only part of fleet-audit that opens connections. */
export {collect, CollectInputError} from './collect.js'
export {COLLECT_DEFAULTS} from './defaults.js'
export {selectTerminals, parseShard, type Selection} from './select.js'
export {writeFactsDir, factsFileName} from './facts-dir.js'
export {
  parseKnownHosts,
  verifyHostKey,
  knownHostsLine,
  hostLookupName,
  type KnownHosts,
  type HostKeyVerdict,
} from './known-hosts.js'
export {fingerprintOf} from './fingerprint.js'
export {collectClosingLine, listIds, type CollectCounts} from './messages.js'
export {resolveAddress} from './target.js'
export {
  nodeSshTransport,
  TransportError,
  type Transport,
  type Session,
  type SshTarget,
  type SshAuth,
} from './transport.js'
export type {CollectOptions, CollectDeps, CollectProgress, CollectResult} from './types.js'
