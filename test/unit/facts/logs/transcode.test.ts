/**
 * The CP932 → UTF-8 copy of a plain file (one reused buffer per side) against the streamed gzip path and against an
 * independent decoder written from the WHATWG Shift_JIS algorithm: same text, same invalid lines and count, hash of
 * the original bytes; hostile bytes at every offset around the 1 MiB read boundary; a file changed while read.
 */
import {createHash} from 'node:crypto'
import {appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'

import {InputError} from '../../../../src/model/errors.js'
import {type FilePlan, transcode} from '../../../../src/facts/logs/files.js'
import {Cp932ToUtf8} from '../../../../src/facts/logs/sjis.js'

const dir = mkdtempSync(join(tmpdir(), 'fa-transcode-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const CHUNK = 1 << 20

/** A small deterministic generator (the cases must be the same every run). */
function random(seed: number): (n: number) => number {
  let s = seed
  return (n) => {
    s = (s * 1_103_515_245 + 12_345) & 0x7f_ff_ff_ff
    return Math.floor((s / 0x80_00_00_00) * n)
  }
}

const pairDecoder = new TextDecoder('shift_jis', {fatal: true})
/**
 * The WHATWG Shift_JIS decoder, step by step from the spec; only a two-byte pair's character is asked of Node's
 * decoder (ICU, which also swaps 0x1A/0x1C/0x7F and rejects 0x80 on their own, so single bytes are not asked).
 * Returns the text (U+FFFD for each error), the error count and the distinct lines with an error.
 */
function reference(bytes: Buffer): {text: string; errors: number; lines: number[]} {
  let text = ''
  let errors = 0
  let line = 1
  const lines: number[] = []
  const error = () => {
    errors++
    if (lines.at(-1) !== line) lines.push(line)
    text += '\uFFFD'
  }

  let lead = 0
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]
    if (lead !== 0) {
      const l = lead
      lead = 0
      let pointer = -1
      const offset = b < 0x7f ? 0x40 : 0x41
      const leadOffset = l < 0xa0 ? 0x81 : 0xc1
      if ((b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfc)) pointer = (l - leadOffset) * 188 + b - offset
      if (pointer >= 8836 && pointer <= 10_715) {
        text += String.fromCharCode(0xe000 + pointer - 8836)
        i++
        continue
      }

      let ch: string | undefined
      if (pointer >= 0)
        try {
          ch = pairDecoder.decode(Buffer.from([l, b]))
        } catch {
          ch = undefined
        }

      if (ch !== undefined && ch.length === 1) {
        text += ch
        i++
        continue
      }

      error()
      // An ASCII byte after a bad lead is read again on its own.
      if (b >= 0x80) i++
      continue
    }

    if (b <= 0x80) {
      if (b === 0x0a) line++
      text += String.fromCharCode(b)
    } else if (b >= 0xa1 && b <= 0xdf) text += String.fromCharCode(0xff61 - 0xa1 + b)
    else if ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc)) lead = b
    else error()
    i++
  }

  if (lead !== 0) error()
  return {text, errors, lines}
}

/**
 * The decoder's output fed in the given pieces, as text (U+FFFD for each invalid sequence). `clean`: as the review's
 * copies are written (a bad line emptied, line endings the first line's), which the copy of a file must equal.
 */
function decode(
  bytes: Buffer,
  cuts: number[] = [],
  clean = false,
): {out: Buffer; text: string; invalid: number; lines: number[]} {
  const d = new Cp932ToUtf8(Number.MAX_SAFE_INTEGER, {clean})
  const parts: Buffer[] = []
  let at = 0
  for (const cut of [...cuts, bytes.length]) {
    const piece = bytes.subarray(at, cut)
    at = cut
    const out = Buffer.alloc(piece.length * 3 + 4)
    // Cleaning, the last line can be emptied only in the call that holds it: the end comes with the last piece.
    parts.push(out.subarray(0, d.decodeInto(piece, out, clean && cut === bytes.length)))
  }

  if (!clean) {
    const last = Buffer.alloc(4)
    parts.push(last.subarray(0, d.decodeInto(Buffer.alloc(0), last, true)))
  }

  const out = Buffer.concat(parts)
  const text: string[] = []
  let from = 0
  for (let i = 0; i <= out.length; i++)
    if (i === out.length || out[i] === 0xff) {
      text.push(new TextDecoder('utf-8', {fatal: true}).decode(out.subarray(from, i)))
      from = i + 1
    }

  return {out, text: text.join('\uFFFD'), invalid: d.invalid, lines: [...d.invalidLines]}
}

/** Hostile bytes: newlines, lone and misplaced lead/trail bytes, bytes that are never a lead, EUDC, NEC/IBM rows. */
const HOSTILE = [
  0x0a, 0x0d, 0x00, 0x1a, 0x1c, 0x7f, 0x40, 0x7e, 0x2c, 0x22, 0x80, 0xa0, 0xa1, 0xdf, 0xfd, 0xfe, 0xff, 0x81, 0x9f,
  0xe0, 0xef, 0xf0, 0xf9, 0xfa, 0xfc, 0x87, 0xed, 0xee,
]
const PAIRS = [
  [0xf0, 0x40], // user-defined area, first
  [0xf9, 0xfc], // and last
  [0x87, 0x40], // NEC row 13
  [0xed, 0x40], // NEC-selected IBM extension
  [0xfa, 0x40], // IBM extension
  [0x81, 0x60], // wave dash, CP932's U+FF5E
  [0x82, 0xa0],
  [0x85, 0x40], // unassigned
  [0x81, 0x7f], // 0x7F is never a trail
  [0x81, 0x0a], // a newline where a trail byte should be
  [0x0d, 0x0a],
]

function hostile(rnd: (n: number) => number, length: number): Buffer {
  const mode = rnd(3)
  const out: number[] = []
  while (out.length < length) {
    if (mode === 0) out.push(rnd(256))
    else if (mode === 1) out.push(HOSTILE[rnd(HOSTILE.length)])
    else {
      const r = rnd(10)
      if (r < 5) out.push(...PAIRS[rnd(PAIRS.length)])
      else if (r < 8) out.push(0x20 + rnd(90))
      else out.push(HOSTILE[rnd(HOSTILE.length)])
    }
  }

  return Buffer.from(out.slice(0, length))
}

describe('the CP932 decoder', () => {
  it('agrees with the WHATWG algorithm on hostile bytes, however the input is cut into chunks', () => {
    const rnd = random(11)
    for (let c = 0; c < 3000; c++) {
      const bytes = hostile(rnd, 1 + rnd(c % 10 === 0 ? 3000 : 60))
      const want = reference(bytes)
      const whole = decode(bytes)
      expect({hex: bytes.toString('hex'), text: whole.text, invalid: whole.invalid, lines: whole.lines}).toEqual({
        hex: bytes.toString('hex'),
        text: want.text,
        invalid: want.errors,
        lines: want.lines,
      })
      const cuts =
        c % 5 === 0
          ? Array.from({length: bytes.length - 1}, (_, i) => i + 1)
          : Array.from({length: 1 + rnd(5)}, () => rnd(bytes.length + 1)).sort((a, b) => a - b)
      const cut = decode(bytes, cuts)
      expect(cut.out.equals(whole.out)).toBe(true)
      expect([cut.invalid, cut.lines]).toEqual([whole.invalid, whole.lines])
    }
  })

  it('0xA0 and 0xFD–0xFF are no lead bytes: one error each, and the character after them is kept', () => {
    const d = decode(Buffer.from([0xa0, 0x82, 0xa0, 0xfd, 0xb1, 0xff, 0xfe, 0x0a, 0x41]))
    expect(d.text).toBe('\uFFFDあ\uFFFDｱ\uFFFD\uFFFD\nA')
    expect(d.invalid).toBe(4)
    expect(d.lines).toEqual([1])
  })
})

/** Printable CP932 lines of ASCII, kana and hiragana, about one newline in fifty bytes. */
function filler(rnd: (n: number) => number, length: number): Buffer {
  const b = Buffer.alloc(length)
  for (let i = 0; i < length;) {
    const r = rnd(100)
    if (r < 2) b[i++] = 0x0a
    else if (r < 50 && i + 1 < length) {
      b[i++] = 0x82
      b[i++] = 0xa0 + rnd(0x50)
    } else if (r < 60) b[i++] = 0xa1 + rnd(0x3f)
    else b[i++] = 0x20 + rnd(90)
  }

  return b
}

async function both(name: string, bytes: Buffer): Promise<{plain: FilePlan; gz: FilePlan}> {
  const file = join(dir, `${name}.csv`)
  writeFileSync(file, bytes)
  writeFileSync(`${file}.gz`, gzipSync(bytes, {level: 1}))
  const plain: FilePlan = {
    file,
    path: join(dir, `${name}.a.txt`),
    gzip: false,
    bytes: bytes.length,
    invalidLines: [],
    invalid: 0,
  }
  const gz: FilePlan = {
    ...plain,
    file: `${file}.gz`,
    path: join(dir, `${name}.b.txt`),
    gzip: true,
    // The file's own size, as planned (compressed): the copy is compared with its plan.
    bytes: statSync(`${file}.gz`).size,
    invalidLines: [],
  }
  await transcode(plain)
  await transcode(gz)
  return {plain, gz}
}

describe('a plain Shift_JIS file is transcoded exactly as the gzip stream and the one-shot decoder', () => {
  const rnd = random(5)
  const base = filler(rnd, 2 * CHUNK + 64)
  const sequences = [[0x81], [0x81, 0x0a], [0x81, 0x0d, 0x0a], [0xa0, 0x82, 0xa0], [0xf9, 0xfc], [0xfd], [0x85, 0x40]]
  it('hostile bytes at every offset from 3 before to 3 after the read boundary, the file ending there or later', async () => {
    let n = 0
    for (const boundary of [CHUNK, 2 * CHUNK])
      for (let k = -3; k <= 3; k++)
        for (const seq of sequences)
          for (const tail of [0, 5]) {
            const bytes = Buffer.concat([base.subarray(0, boundary + k), Buffer.from(seq), base.subarray(0, tail)])
            const {plain, gz} = await both(`b${n++}`, bytes)
            const out = readFileSync(plain.path)
            const one = decode(bytes, [], true)
            const where = `${boundary}${k >= 0 ? '+' : ''}${k} ${Buffer.from(seq).toString('hex')} tail ${tail}`
            expect(out.equals(readFileSync(gz.path)), where).toBe(true)
            expect(out.equals(one.out), where).toBe(true)
            expect([plain.invalid, plain.invalidLines], where).toEqual([one.invalid, one.lines.slice(0, 5)])
            expect([gz.invalid, gz.invalidLines], where).toEqual([plain.invalid, plain.invalidLines])
            expect(plain.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
          }
  }, 120_000)

  it('exactly one or two chunks long, ending in a lead byte; only invalid bytes; one byte', async () => {
    const cases: Buffer[] = []
    for (const length of [CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK]) {
      const b = Buffer.from(base.subarray(0, length))
      b[length - 1] = 0x81
      cases.push(b)
    }

    cases.push(Buffer.alloc(CHUNK + 3, 0xff), Buffer.alloc(CHUNK + 1, 0x81), Buffer.from([0x81]))
    for (const [i, bytes] of cases.entries()) {
      const {plain, gz} = await both(`e${i}`, bytes)
      expect(readFileSync(plain.path).equals(readFileSync(gz.path))).toBe(true)
      expect([plain.invalid, plain.invalidLines]).toEqual([gz.invalid, gz.invalidLines])
      expect(plain.invalid).toBe(reference(bytes).errors)
      expect(plain.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    }
  }, 60_000)
})

describe('a plain file that changes while it is transcoded', () => {
  for (const [name, change] of [
    ['grows', (file: string) => appendFileSync(file, filler(random(3), CHUNK))],
    ['is cut short', (file: string) => truncateSync(file, CHUNK + 10)],
  ] as const)
    it(`${name}: refused as unreadable, naming the file, never hashed as what was planned`, async () => {
      const file = join(dir, `changing-${name.replaceAll(' ', '-')}.csv`)
      const bytes = filler(random(9), 3 * CHUNK)
      writeFileSync(file, bytes)
      const plan: FilePlan = {file, path: `${file}.txt`, gzip: false, bytes: bytes.length, invalidLines: [], invalid: 0}
      let changed = false
      const run = transcode(plan, () => {
        if (changed) return
        changed = true
        change(file)
      })
      await expect(run).rejects.toSatisfy(
        (e: unknown) =>
          e instanceof InputError && e.message.includes(file) && /changed while it was read/.test(e.message),
      )
      expect(changed).toBe(true)
      expect(plan.sha256).toBeUndefined()
    })
})
