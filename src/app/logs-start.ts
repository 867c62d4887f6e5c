import {InputError} from '../model/errors.js'
import type {AuditResult} from '../model/result.js'
import {loadMappings} from '../facts/logs/mapping.js'
import {FirstReads} from '../facts/logs/prehash.js'
import type {runLogReview as runLoaded, StartedReads} from './logs.js'

// The first step of a log review, in a module of its own so that it runs before the rest of the review's code is
// loaded: the mappings (small files) are read, and the large log files' first reads (hashed, checked as UTF-8; see
// prehash.ts) start on their own thread. Loading the review's modules (the inventory and rule loaders, SQLite, the
// reporters' helpers) took 0.14 s of the main thread, and the inventory another 0.27 s at 2,000 terminals: the first
// reads now run beside both, and at 10 M rows less of the hash is left to run beside the engine's scan.

/** Reads the mappings and starts the first reads of their large uncompressed files; problems are kept, not thrown. */
export async function startLogReads(logs: {
  mappings: readonly string[]
  files?: readonly string[]
}): Promise<StartedReads> {
  const firstReads = new FirstReads()
  try {
    const mappings = await loadMappings(logs)
    firstReads.start(
      mappings
        .filter((m) => m.format !== 'parquet' && m.compression !== 'gzip')
        .flatMap((m) => m.files.map((file) => ({file, utf8: m.encoding !== 'shift_jis'}))),
    )
    return {mappings, problems: [], firstReads}
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return {problems: [...error.problems], firstReads}
  }
}

/** `logs analyze` (see `runLogReview` in logs.ts), its first reads started before the rest of the review loads. */
export async function runLogReview(
  options: Parameters<typeof runLoaded>[0],
  deps: Parameters<typeof runLoaded>[1],
): Promise<AuditResult> {
  const started = await startLogReads(options.logs)
  const {runLogReview: run} = await import('./logs.js')
  return run(options, deps, started)
}
