/**
 * A log file the engine reads itself (not a copy) that is written while the review runs is refused (exit 2), as the
 * copies are: otherwise it would be reviewed and its hash recorded as neither the planned file nor the final one.
 */
import {execFileSync} from 'node:child_process'
import {appendFileSync, mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {InputError} from '../../../../src/model/errors.js'
import {type FilePlan, stampOf, unchanged} from '../../../../src/facts/logs/files.js'
import {checkUtf8, hashBytes, openRegular} from '../../../../src/facts/logs/prehash.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-changed-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

function planned(name: string): FilePlan {
  const file = join(tmp, name)
  writeFileSync(file, '時刻,端末\n2026/10/15 08:30:23,T-1\n')
  const st = statSync(file)
  return {file, path: file, gzip: false, bytes: st.size, stamp: stampOf(st), invalidLines: [], invalid: 0}
}

describe('a file that changed while it was read', () => {
  it('passes when nothing changed', async () => {
    await expect(unchanged(planned('same.csv'))).resolves.toBeUndefined()
  })

  it('is refused when it grew, naming the file and both sizes', async () => {
    const plan = planned('grown.csv')
    appendFileSync(plan.file, '2026/10/15 08:31:00,T-2\n')
    const error = await unchanged(plan).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    const [problem] = (error as InputError).problems
    expect(problem.file).toBe(plan.file)
    expect(problem.message).toMatch(/changed while it was read \(\d+ bytes when planned, \d+ now\)/)
  })

  it('is refused when it was rewritten in place at the same size', async () => {
    const plan = planned('rewritten.csv')
    writeFileSync(plan.file, '時刻,端末\n2026/10/15 08:30:23,T-9\n')
    utimesSync(plan.file, new Date(), new Date(Date.now() + 5000))
    await expect(unchanged(plan)).rejects.toBeInstanceOf(InputError)
  })

  it('is refused when it was rewritten at the same size with its write time set back', async () => {
    const plan = planned('backdated.csv')
    const before = statSync(plan.file)
    const ref = join(tmp, 'backdated.ref')
    writeFileSync(ref, '')
    execFileSync('touch', ['-r', plan.file, ref])
    writeFileSync(plan.file, '時刻,端末\n2026/10/15 08:30:23,T-9\n')
    execFileSync('touch', ['-r', ref, plan.file])
    const after = statSync(plan.file)
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs])
    await expect(unchanged(plan)).rejects.toBeInstanceOf(InputError)
    // Same size: the message says it was rewritten, not "N bytes when planned, N now".
    await expect(unchanged(plan)).rejects.toThrow(/changed while it was read \(rewritten, \d+ bytes\)/)
  })

  it('is refused when another file of the same size and write time was renamed into its place', async () => {
    const plan = planned('replaced.csv')
    const before = statSync(plan.file)
    const other = join(tmp, 'other.csv')
    writeFileSync(other, '時刻,端末\n2026/10/15 08:30:23,T-8\n')
    execFileSync('touch', ['-r', plan.file, other])
    expect([statSync(other).size, statSync(other).mtimeMs]).toEqual([before.size, before.mtimeMs])
    renameSync(other, plan.file)
    await expect(unchanged(plan)).rejects.toBeInstanceOf(InputError)
  })

  it('is refused when it is gone', async () => {
    const plan = planned('gone.csv')
    rmSync(plan.file)
    await expect(unchanged(plan)).rejects.toBeInstanceOf(InputError)
  })
})

describe('a log path that is not a regular file when it is opened', () => {
  it('is refused at once, not waited on (a FIFO put in place of the file after planning)', async () => {
    const fifo = join(tmp, 'swapped.csv')
    execFileSync('mkfifo', [fifo])
    await expect(openRegular(fifo)).rejects.toThrow('not a regular file')
    await expect(checkUtf8(fifo)).rejects.toThrow('not a regular file')
    await expect(hashBytes(fifo)).rejects.toThrow('not a regular file')
    await expect(openRegular(tmp)).rejects.toThrow()
  })
})
