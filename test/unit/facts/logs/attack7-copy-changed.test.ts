/**
 * Attack (attack7): only a file the engine reads itself was compared with its plan after the scan (`unchanged`). A
 * file read through a copy was checked for its size while it was copied, and a gzip file not at all: a gzip export
 * that grew after the review planned it (another gzip member appended, as a rotating writer does) was copied,
 * reviewed and hashed whole, while the review recorded the planned size; a plain Shift_JIS file rewritten with the
 * same size was copied as it then was. Either is the same "changed while it was read" (exit 2) as a direct file.
 */
import {appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'

import {type FilePlan, stampOf, transcode} from '../../../../src/facts/logs/files.js'
import {encodeCp932} from '../../../../src/facts/logs/sjis.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-attack7-copy-changed-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

function planned(name: string, bytes: Buffer, gzip: boolean): FilePlan {
  const file = join(tmp, name)
  writeFileSync(file, bytes)
  const st = statSync(file)
  return {file, path: `${file}.copy`, gzip, bytes: st.size, stamp: stampOf(st), invalidLines: [], invalid: 0}
}

describe('a file read through a copy that changed after it was planned', () => {
  it('is refused (gzip, grown by another member)', async () => {
    const plan = planned('grown.csv.gz', gzipSync('時刻,端末\n2026/10/15 08:30:23,T-1\n'), true)
    appendFileSync(plan.file, gzipSync('2026/10/15 08:31:00,T-2\n'))
    await expect(transcode(plan, undefined, 'utf-8')).rejects.toThrow(/changed while it was read/)
  })

  it('is refused (Shift_JIS, rewritten with the same size)', async () => {
    const text = (terminal: string) => encodeCp932(`時刻,端末\n2026/10/15 08:30:23,${terminal}\n`)
    const plan = planned('same-size.csv', text('T-1'), false)
    // A later write time and change time, the same size.
    await new Promise((resolve) => setTimeout(resolve, 20))
    writeFileSync(plan.file, text('T-2'))
    expect(statSync(plan.file).size).toBe(plan.bytes)
    await expect(transcode(plan, undefined, 'shift_jis')).rejects.toThrow(/changed while it was read/)
  })
})
