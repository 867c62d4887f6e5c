import {parentPort} from 'node:worker_threads'

import {parseInventoryFile} from './parse-file.js'

/** Worker side of the parallel loader: parses the files it is sent, one at a time, and posts plain results back. */
parentPort!.on('message', async (msg: {id: number; file: string; maxBytes: number}) => {
  try {
    parentPort!.postMessage({id: msg.id, result: await parseInventoryFile(msg.file, msg.maxBytes)})
  } catch (error) {
    parentPort!.postMessage({id: msg.id, error: String((error as Error).stack ?? error)})
  }
})
