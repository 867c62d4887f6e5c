import {parentPort} from 'node:worker_threads'

import {decodePart, type PartJob} from './parts.js'

/** Worker side of the parallel copy (parts.ts): decodes the parts it is sent and posts what it found back. */
parentPort!.on('message', async (msg: {id: number; job: PartJob}) => {
  try {
    parentPort!.postMessage({id: msg.id, result: await decodePart(msg.job)})
  } catch (error) {
    parentPort!.postMessage({id: msg.id, error: (error as Error).message})
  }
})
