import {parentPort} from 'node:worker_threads'

import {checkUtf8, type FirstReadJob, type FirstReadMessage, hashBytes} from './prehash.js'

/**
 * Worker side of FirstReads (prehash.ts): every UTF-8 check first, then the hashes, each posted when done. The reads
 * block this thread, which has nothing else to do (see openReader).
 */
parentPort!.once('message', async (job: FirstReadJob) => {
  const post = (m: FirstReadMessage) => parentPort!.postMessage(m)
  for (const file of job.utf8)
    try {
      post({kind: 'utf8', file, ...(await checkUtf8(file, true))})
    } catch {
      // The review reads the file itself and names the problem.
      post({kind: 'utf8', file})
    }

  for (const file of job.hash)
    try {
      post({kind: 'hash', file, ...(await hashBytes(file, {sync: true}))})
    } catch {
      post({kind: 'hash', file})
    }
})
