/**
 * Attack (attack5): the split copy decides whether a cut falls inside quotes by the parity of every `"` before it,
 * but the engine reads a `"` inside an unquoted field (`ab"c`) as a literal character. One such quote before the
 * cut, and a record whose quoted field ends in a line break at the cut, make the parity even though the cut is
 * inside quotes: the part after the cut then starts with `",1`, which opens a quote the engine never sees closed,
 * and the rest of that part is lost. The file is sound: read from one copy, every row is reviewed.
 */
import {readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, afterEach, expect, it} from 'vitest'

import {splitting} from '../../../../src/facts/logs/parts.js'
import {baseLogInventory, cleanup, linesOf, mapping, review, writeScenario} from './scenario.js'

afterAll(cleanup)
const defaults = {...splitting}
afterEach(() => Object.assign(splitting, defaults))

it('a literal quote in an unquoted field before a cut inside quotes loses no row of a sound file', async () => {
  const s = await writeScenario(baseLogInventory(), {
    gen: {perTerminalDay: 40, encoding: 'shift_jis'},
    mapping: mapping({encoding: 'shift_jis'}),
  })
  const file = join(s.logs, readdirSync(s.logs).sort()[0])
  const all = linesOf(file)

  // A literal quote inside an unquoted field of line 3 (the engine reads `ab"c`).
  const literal = (l: Buffer): Buffer => {
    const cols = l.toString('latin1').split(',')
    cols[8] = 'ab"c'
    return Buffer.from(cols.join(','), 'latin1')
  }
  all[2] = literal(all[2])
  // A record in the middle whose quoted 表示項目 ends with a line break: `"xxx…\r\n",1`.
  const pad = 'x'.repeat(4000)
  const record = (l: Buffer): Buffer => {
    const cols = l.toString('latin1').split(',')
    cols[8] = `"${pad}\r\n"`
    return Buffer.from(cols.join(','), 'latin1')
  }
  const size = all.reduce((n, l) => n + l.length, 0)
  let placed = false
  for (let i = 3, offset = all.slice(0, 3).reduce((n, l) => n + l.length, 0); i < all.length - 3; i++) {
    const r = record(all[i])
    const mid = Math.floor((size - all[i].length + r.length) / 2)
    // The cut (the first LF at or after the middle) is the LF inside the quotes.
    if (offset < mid && offset + r.indexOf(0x0a) >= mid) {
      all[i] = r
      placed = true
      break
    }

    offset += all[i].length
  }

  expect(placed).toBe(true)
  writeFileSync(file, Buffer.concat(all))
  Object.assign(splitting, {minBytes: Number.POSITIVE_INFINITY})
  const one = await review(s)
  Object.assign(splitting, {minBytes: 0, parts: 2})
  const split = await review(s)
  const summary = (r: typeof one) => r.logs!.files.find((f) => f.file === file)!
  expect(summary(one).unparseable).toBe(0)
  expect(summary(split)).toEqual(summary(one))
  expect(split.findings).toEqual(one.findings)
})
