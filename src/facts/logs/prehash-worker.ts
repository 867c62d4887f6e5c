import {parentPort} from 'node:worker_threads'

import {firstRead} from './prehash.js'

/** Worker side of FirstReads (prehash.ts): reads each file it is sent, in order, and posts what it found. */
parentPort!.once('message', async (files: string[]) => {
  for (const file of files) {
    let result
    try {
      result = await firstRead(file)
    } catch {
      // The review reads the file itself and names the problem.
    }

    parentPort!.postMessage({file, result})
  }
})
