/**
 * Attack (attack9) on timestamp formats: `%I` (a 12-hour hour) without `%p` was accepted, so a 24-hour export's
 * 12:30 was read as 00:30 of the same day and every afternoon line was unparseable; the format is what is wrong, so it
 * is exit 2 at the mapping's line and column.
 */
import {afterAll, describe, expect, it} from 'vitest'

import {InputError} from '../../../../src/model/errors.js'
import {baseLogInventory, cleanup, mapping, review, writeScenario} from './scenario.js'

afterAll(cleanup)

async function problems(format: string): Promise<string[]> {
  const s = await writeScenario(baseLogInventory(), {mapping: mapping({timestamp: {format, zone: 'Asia/Tokyo'}})})
  try {
    await review(s)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return error.problems.map((p) => `${p.line}:${p.column} ${p.message} (${p.code})`)
  }

  return []
}

describe('a 12-hour timestamp format', () => {
  it('without AM/PM is a bad mapping', async () => {
    expect(await problems('%Y/%m/%d %I:%M:%S')).toEqual([
      expect.stringMatching(
        /^\d+:\d+ timestamp\.format: "%Y\/%m\/%d %I:%M:%S" has a 12-hour hour \(%I\) without AM\/PM/,
      ),
    ])
  })

  it('with AM/PM is read', async () => {
    // The generated logs are 24-hour, so every line is unparseable, but the mapping itself is accepted.
    expect(await problems('%Y/%m/%d %I:%M:%S %p')).toEqual([])
  })
})
