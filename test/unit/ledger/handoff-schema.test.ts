import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {handoffSchema} from '../../../src/ledger/handoff-schema.js'

/*
 * schemas/handoff.schema.json is what the build compiles into the hand-off check and what an auditor can check a
 * hand-off file with on their own. It must be exactly the schema the field tables derive: a field added to a table
 * without rewriting the file (node scripts/handoff-schema.mjs after a build) fails here.
 */
describe('schemas/handoff.schema.json', () => {
  it('is the schema derived from the ledger field tables', () => {
    const kept = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'handoff.schema.json'), 'utf8'),
    )
    expect(kept).toEqual(handoffSchema())
  })
})
