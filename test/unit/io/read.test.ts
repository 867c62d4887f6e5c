import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {decodeStrict, readTextFile} from '../../../src/io/read.js'

const dir = mkdtempSync(join(tmpdir(), 'fa-read-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('decodeStrict', () => {
  it('decodes UTF-8, Japanese included, and drops a BOM', () => {
    expect(decodeStrict('f', Buffer.from('\uFEFFname: 八戸営業所\n'))).toEqual({ok: true, text: 'name: 八戸営業所\n'})
  })

  it('points at the first NUL byte', () => {
    const r = decodeStrict('f.yaml', Buffer.from('a: 1\nbb: x\u0000y\n'))
    expect(r).toEqual({
      ok: false,
      problem: {
        code: 'E_BINARY',
        message: 'binary content (NUL byte), not a text file',
        file: 'f.yaml',
        line: 2,
        column: 6,
      },
    })
  })

  it('points at the first invalid UTF-8 byte, counting columns in bytes', () => {
    const bytes = Buffer.concat([Buffer.from('a: 1\nname: 八'), Buffer.from([0xff, 0x41]), Buffer.from('\n')])
    const r = decodeStrict('f.yaml', bytes)
    // "name: " is 6 bytes and 八 is 3 bytes, so 0xff is byte 10 of line 2
    expect(r).toEqual({
      ok: false,
      problem: {code: 'E_ENCODING', message: 'not valid UTF-8', file: 'f.yaml', line: 2, column: 10},
    })
  })

  it('points at a Latin-1 byte that looks like the start of a multi-byte sequence, not at the byte after it', () => {
    // "caf\xe9, side": 0xe9 opens a 3-byte sequence that "," breaks; the bad byte is 0xe9 itself (column 4)
    const r = decodeStrict(
      'f.yaml',
      Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(', side: nw\n')]),
    )
    expect(r).toEqual({
      ok: false,
      problem: {code: 'E_ENCODING', message: 'not valid UTF-8', file: 'f.yaml', line: 1, column: 4},
    })
  })

  it('points at the lead byte of a sequence cut short by a newline', () => {
    const r = decodeStrict(
      'f.yaml',
      Buffer.concat([Buffer.from('ab'), Buffer.from('八').subarray(0, 2), Buffer.from('\nnext\n')]),
    )
    expect(r).toEqual({
      ok: false,
      problem: {code: 'E_ENCODING', message: 'not valid UTF-8', file: 'f.yaml', line: 1, column: 3},
    })
  })

  it('rejects a truncated multi-byte sequence at the end of the file', () => {
    const r = decodeStrict('f.yaml', Buffer.concat([Buffer.from('a: '), Buffer.from('八').subarray(0, 2)]))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.problem).toMatchObject({code: 'E_ENCODING', line: 1})
  })

  it('rejects overlong encodings and UTF-16 surrogates', () => {
    expect(decodeStrict('f', Buffer.from([0x61, 0xc0, 0xaf])).ok).toBe(false)
    expect(decodeStrict('f', Buffer.from([0x61, 0xed, 0xa0, 0x80])).ok).toBe(false)
  })
})

describe('readTextFile', () => {
  it('refuses a file over the limit before reading it', async () => {
    const file = join(dir, 'big.yaml')
    writeFileSync(file, 'x'.repeat(101))
    expect(await readTextFile(file, 100)).toEqual({
      ok: false,
      problem: {code: 'E_TOO_LARGE', message: 'file is 101 bytes, over the limit of 100 (--max-file-size)', file},
    })
    expect((await readTextFile(file, 101)).ok).toBe(true)
  })

  it('refuses a folder and a missing file', async () => {
    expect(await readTextFile(dir)).toMatchObject({ok: false, problem: {code: 'E_NOT_FILE', file: dir}})
    expect(await readTextFile(join(dir, 'missing.yaml'))).toMatchObject({
      ok: false,
      problem: {code: 'E_READ', message: 'cannot read: ENOENT'},
    })
  })
})
