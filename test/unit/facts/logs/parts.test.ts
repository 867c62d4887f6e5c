/**
 * A large plain file's UTF-8 copy written in parts (parts.ts): the parts read together are the one-thread copy, line
 * for line (each part's lines map back to the original's exactly), whatever falls at a cut — a multi-byte character,
 * an invalid byte, CRLF or LF, a line break inside quotes, an over-long line — and the review of the real engine
 * reports the same counts and file:line positions as from one copy. From TypeScript sources the parts are decoded in
 * this thread (there is no compiled worker) unless a test names the compiled one (dist/, built before the tests).
 */
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {type FilePlan, transcode} from '../../../../src/facts/logs/files.js'
import {PartPool, splitting} from '../../../../src/facts/logs/parts.js'
import {encodeCp932} from '../../../../src/facts/logs/sjis.js'
import {baseLogInventory, cleanup, linesOf, mapping, review, writeScenario} from './scenario.js'
import {ROOT} from '../../../support/cli.js'

afterAll(cleanup)
const defaults = {...splitting}
afterEach(() => Object.assign(splitting, defaults))

/** Decode the parts in worker threads running the compiled decoder, as the CLI does. */
function useWorkers(): void {
  const worker = join(ROOT, 'dist/src/facts/logs/part-worker.js')
  if (!existsSync(worker)) throw new Error('dist/ is missing: run `npm run build` before these tests')
  splitting.worker = worker
}

type Encoding = 'shift_jis' | 'utf-8'

/** Copies `file` as the review does, split in `parts` when `split` (every size is large enough then), or not. */
async function copyOf(file: string, encoding: Encoding, split: boolean, parts = 2) {
  Object.assign(splitting, {minBytes: split ? 0 : Number.POSITIVE_INFINITY, parts})
  const copy = `${file}.copy`
  const plan: FilePlan = {
    file,
    path: copy,
    copy,
    gzip: false,
    bytes: statSync(file).size,
    invalidLines: [],
    invalid: 0,
  }
  const pool = new PartPool()
  try {
    await transcode(plan, undefined, encoding, {pool, quoted: true})
  } finally {
    await pool.close()
  }

  const files = plan.parts ?? [{path: plan.path, shift: 0}]
  const texts = files.map((p) => readFileSync(p.path))
  const headerLength = texts[0].indexOf(0x0a) + 1
  // The copy as one file: every part after the first has the header line in front.
  const joined = Buffer.concat(texts.map((t, k) => (k === 0 ? t : t.subarray(headerLength))))
  return {plan, files, texts, joined}
}

function lines(bytes: Buffer): string[] {
  return bytes.toString('latin1').split('\n')
}

/** The split copy is the one-thread copy, and each part's line L (after its header) is the copy's line L + shift. */
async function expectSameCopy(file: string, encoding: Encoding, parts = 2) {
  const one = await copyOf(file, encoding, false)
  const split = await copyOf(file, encoding, true, parts)
  expect(one.plan.parts).toBeUndefined()
  expect(split.joined.equals(one.joined)).toBe(true)
  const {sha256, invalid, invalidLines, blanked} = one.plan
  expect({
    sha256: split.plan.sha256,
    invalid: split.plan.invalid,
    invalidLines: split.plan.invalidLines,
    blanked: split.plan.blanked,
  }).toEqual({sha256, invalid, invalidLines, blanked})
  const all = lines(one.joined)
  for (const [k, part] of split.files.entries()) {
    const own = lines(split.texts[k])
    if (own.at(-1) === '') own.pop()
    // Line 1 of a later part is the header it was given; its other lines are the copy's, shifted.
    for (let l = k === 0 ? 1 : 2; l <= own.length; l++) expect(own[l - 1]).toBe(all[l - 1 + part.shift])
  }

  return split
}

const HEADER = '日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,契約名義,電話番号,表示項目,件数'

function encode(text: string, encoding: Encoding): Buffer {
  return encoding === 'shift_jis' ? encodeCp932(text) : Buffer.from(text)
}

/** A line: fields, a name in kanji (a two-byte character in CP932, three in UTF-8) and half-width kana. */
function line(i: number, encoding: Encoding, eol: string): Buffer {
  return encode(`2026/03/27 10:00:${String(i % 60).padStart(2, '0')},T-NW,NW,N1,照会,0300,山田ｱ,,,1${eol}`, encoding)
}

/** Bytes that are invalid in the encoding: a byte that never starts a character, and a lead byte cut by the line's end. */
function invalid(encoding: Encoding): Buffer[] {
  return encoding === 'shift_jis'
    ? [Buffer.from([0xa0]), Buffer.from([0x81])]
    : [Buffer.from([0xff]), Buffer.from([0xe3, 0x81])]
}

describe('the parts read together are the one-thread copy, line for line', () => {
  it('a cut after each line around the middle: multi-byte characters, invalid bytes, a bare CR; CRLF and LF; Shift_JIS and UTF-8', async () => {
    const s = await writeScenario(baseLogInventory(), {gen: {perTerminalDay: 1}})
    const file = join(s.dir, 'sweep.csv')
    for (const encoding of ['shift_jis', 'utf-8'] as const)
      for (const eol of ['\r\n', '\n']) {
        const [never, cut] = invalid(encoding)
        const body: Buffer[] = [encode(HEADER + eol, encoding)]
        for (let i = 0; i < 8; i++) body.push(line(i, encoding, eol))
        // Around the middle: a line that starts with a two-byte character, one with an invalid byte at its start,
        // one whose last character is cut by its line ending, and a bare CR.
        body.push(encode(`山${eol}`, encoding), Buffer.concat([never, line(12, encoding, eol)]))
        body.push(Buffer.concat([encode('2026/03/27 10:00:00,T-NW', encoding), cut, Buffer.from(eol)]))
        body.push(encode(`a\rb${eol}`, encoding))
        for (let i = 13; i < 18; i++) body.push(line(i, encoding, eol))
        const core = Buffer.concat(body)
        // A padding line at the end moves the cut (after the first LF past the middle) over the lines around the
        // middle, one byte at a time.
        const cuts = new Set<number>()
        for (let pad = 0; pad < 700; pad += 5) {
          writeFileSync(file, Buffer.concat([core, Buffer.from(`${'x'.repeat(pad)}${eol}`)]))
          const split = await expectSameCopy(file, encoding)
          expect(split.files.length, `${encoding} ${JSON.stringify(eol)} pad ${pad}`).toBe(2)
          // The second part's first line (its line 2, after the header it was given).
          cuts.add(split.files[1].shift + 2)
        }

        // The second part started at each of the lines around the middle: 山, the invalid byte, the cut character,
        // the bare CR, and the line after them.
        for (const l of [10, 11, 12, 13, 14]) expect(cuts).toContain(l)

        const one = await copyOf(file, encoding, false)
        expect(one.plan.blanked).toBe(3)
      }
  })

  it('three and eight parts, in worker threads; a file just above and just below the threshold', async () => {
    const s = await writeScenario(baseLogInventory(), {gen: {perTerminalDay: 4}})
    const file = join(s.logs, readdirSync(s.logs).sort()[0])
    useWorkers()
    for (const parts of [3, 8]) expect((await expectSameCopy(file, 'utf-8', parts)).files.length).toBe(parts)
    expect(splitting.started).toBeGreaterThan(0)
    const size = statSync(file).size
    const copy = async (minBytes: number) => {
      Object.assign(splitting, {minBytes, parts: 2})
      const plan: FilePlan = {
        file,
        path: `${file}.t`,
        copy: `${file}.t`,
        gzip: false,
        bytes: size,
        invalidLines: [],
        invalid: 0,
      }
      const pool = new PartPool()
      await transcode(plan, undefined, 'utf-8', {pool, quoted: true}).finally(() => pool.close())
      return plan.parts?.length ?? 1
    }

    expect(await copy(size)).toBe(2)
    expect(await copy(size + 1)).toBe(1)
  })

  it('a file that grew or shrank after it was planned is refused, in worker threads too', async () => {
    const s = await writeScenario(baseLogInventory(), {gen: {perTerminalDay: 4}})
    const file = join(s.logs, readdirSync(s.logs).sort()[0])
    const size = statSync(file).size
    Object.assign(splitting, {minBytes: 0, parts: 2})
    useWorkers()
    for (const bytes of [size - 10, size + 10]) {
      const plan: FilePlan = {
        file,
        path: `${file}.c`,
        copy: `${file}.c`,
        gzip: false,
        bytes,
        invalidLines: [],
        invalid: 0,
      }
      const pool = new PartPool()
      await expect(
        transcode(plan, undefined, 'shift_jis', {pool, quoted: true}).finally(() => pool.close()),
      ).rejects.toThrow(/the file changed while it was read/)
    }
  })

  it('a line break inside quotes at the cut: that part is appended to the one before', async () => {
    const s = await writeScenario(baseLogInventory(), {gen: {perTerminalDay: 1}})
    const file = join(s.dir, 'quoted.csv')
    const rows = Array.from(
      {length: 20},
      (_, i) => `2026/03/27 10:00:00,T-NW,NW,N1,照会,0300,"山田\r\n${'x'.repeat(i)}",,,1\r\n`,
    )
    writeFileSync(file, encodeCp932(`${HEADER}\r\n${rows.join('')}`))
    const split = await expectSameCopy(file, 'shift_jis', 4)
    expect(split.files.length).toBeLessThan(4)
  })
})

describe('the review of a split copy is the review of one copy', () => {
  /** The first file of a generated month, spoiled, reviewed from one copy and from parts. */
  async function both(spoil: (lines: Buffer[]) => void, encoding: Encoding, parts = 2) {
    const s = await writeScenario(baseLogInventory(), {
      gen: {perTerminalDay: 40, encoding},
      mapping: mapping({encoding}),
    })
    const file = join(s.logs, readdirSync(s.logs).sort()[0])
    const all = linesOf(file)

    spoil(all)
    writeFileSync(file, Buffer.concat(all))
    expect((await copyOf(file, encoding, true, parts)).files.length).toBe(parts)
    Object.assign(splitting, {minBytes: Number.POSITIVE_INFINITY})
    const one = await review(s)
    Object.assign(splitting, {minBytes: 0, parts})
    useWorkers()
    const started = splitting.started
    const split = await review(s)
    expect(splitting.started).toBeGreaterThan(started)
    const summary = (r: typeof one) => r.logs!.files.find((f) => f.file === file)!
    expect(split.findings).toEqual(one.findings)
    expect(split.logs).toEqual(one.logs)
    return {file, one: summary(one), count: all.length}
  }

  it("an invalid line, a line the engine rejects and a bad time, all in the second part, at the original file's lines", async () => {
    for (const encoding of ['shift_jis', 'utf-8'] as const) {
      let n = 0
      const {file, one, count} = await both((all) => {
        n = all.length
        const at = Math.floor(n * 0.75)
        all[at] = Buffer.concat([all[at].subarray(0, 25), invalid(encoding)[0], all[at].subarray(25)])
        all[at + 3] = Buffer.from('too,few,columns\r\n')
        all[at + 6] = Buffer.concat([Buffer.from('2026/13/45 99:99:99'), all[at + 6].subarray(19)])
      }, encoding)
      const at = Math.floor(count * 0.75) + 1
      expect(one.unparseable, encoding).toBe(3)
      expect(one.first_unparseable, encoding).toEqual([at, at + 3, at + 6].map((l) => `${file}:${l}`))
      expect(n).toBe(count)
    }
  })

  it('an over-long line over the cut is one unparseable line at its own line number', async () => {
    let at = 0
    const {file, one} = await both((all) => {
      at = Math.floor(all.length / 2)
      // Longer than the engine's 1 MiB line and than a decoder's 2 MiB block.
      all[at] = Buffer.concat([all[at].subarray(0, -2), Buffer.alloc(5 << 20, 0x61), Buffer.from('\r\n')])
    }, 'shift_jis')
    expect(one.unparseable).toBe(1)
    expect(one.first_unparseable).toEqual([`${file}:${at + 1}`])
  })
})
