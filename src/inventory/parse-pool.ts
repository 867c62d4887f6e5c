import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import {type FileResult, parseInventoryFile, parseInventoryFileFast} from './parse-file.js'

/** Below this much YAML outside the fast path, starting workers (~40 ms each) costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 2 * 1024 * 1024
const WORKER_FILE = fileURLToPath(new URL('parse-worker.js', import.meta.url))

/**
 * Parses inventory files; results come back in the order of `files`. Files in the YAML fast path's subset (what
 * inventories are written in) are parsed here: measured at 10,000 and 100,000 terminals in one file per site, that is
 * faster than worker threads, whose start-up and copying of the results back cost more than the fast parse itself.
 * Files the fast path declines go to the `yaml` library, in worker threads when there is much of them (that parse
 * is CPU-bound and several times slower). Only one file's syntax tree is alive per thread at a time, which bounds
 * memory for a 100,000-terminal fleet.
 */
export async function parseInventoryFiles(files: string[], maxBytes: number): Promise<FileResult[]> {
  const results: FileResult[] = Array.from({length: files.length})
  const declined: number[] = []
  let declinedBytes = 0
  for (const [i, f] of files.entries()) {
    const r = await parseInventoryFileFast(f, maxBytes)
    if ('declined' in r) {
      declined.push(i)
      declinedBytes += r.declined
    } else results[i] = r
  }

  const workers = Math.min(availableParallelism(), declined.length)
  // From TypeScript sources (tests) there is no compiled worker file: parse in this thread. One file stays here too:
  // measured at 10,000 terminals, copying the parsed result back costs more than overlapping it with facts loading.
  if (workers < 2 || !existsSync(WORKER_FILE) || declinedBytes < PARALLEL_THRESHOLD_BYTES) {
    for (const i of declined) results[i] = await parseInventoryFile(files[i], maxBytes)
    return results
  }

  const parsed = await parseInWorkers(
    declined.map((i) => files[i]),
    maxBytes,
    workers,
  )
  declined.forEach((i, j) => (results[i] = parsed[j]))
  return results
}

function parseInWorkers(files: string[], maxBytes: number, count: number): Promise<FileResult[]> {
  return new Promise((resolve, reject) => {
    const results: FileResult[] = Array.from({length: files.length})
    const pool = Array.from({length: count}, () => new Worker(WORKER_FILE))
    let next = 0
    let done = 0
    let finished = false
    const finish = (error?: Error) => {
      if (finished) return
      finished = true
      for (const w of pool) void w.terminate()
      if (error) reject(error)
      else resolve(results)
    }

    const feed = (w: Worker) => {
      if (next < files.length) w.postMessage({id: next, file: files[next++], maxBytes})
    }

    for (const w of pool) {
      w.on('message', (msg: {id: number; result?: FileResult; error?: string}) => {
        if (msg.error) return finish(new Error(msg.error))
        results[msg.id] = msg.result!
        if (++done === files.length) finish()
        else feed(w)
      })
      w.on('error', (error) => finish(error))
      // A worker that dies without an error event (killed, out of memory) must not leave the run waiting forever.
      w.on('exit', (code) =>
        finish(
          code === 0 && done === files.length
            ? undefined
            : new Error(`inventory parser worker exited with code ${code}`),
        ),
      )
      feed(w)
    }
  })
}
