import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'

import type {Facts} from '../model/types.js'
import {writeFileAtomic} from '../io/write.js'

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** The file a terminal's facts are written to; the id is checked so it can never leave `dir`. */
export function factsFileName(terminal: string): string {
  if (!ID.test(terminal)) throw new Error(`terminal id ${JSON.stringify(terminal)} cannot name a facts file`)
  return `${terminal}.json`
}

/**
 * Writes one `<terminal>.json` per facts document, each atomically (the shared helper: temp file, then rename), so a
 * reader or an interrupted run never sees half a file. Returns the paths written.
 */
export async function writeFactsDir(dir: string, facts: Facts[]): Promise<string[]> {
  await mkdir(dir, {recursive: true})
  const written: string[] = []
  for (const f of facts) {
    const path = join(dir, factsFileName(f.terminal))
    await writeFileAtomic(path, `${JSON.stringify(f, null, 2)}\n`, {mode: 0o644, what: `the facts of ${f.terminal}`})
    written.push(path)
  }
  return written
}
