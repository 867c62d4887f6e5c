/**
 * An empty export (0 bytes) is not read by the engine, but it is one of the files the review covered: it is listed in
 * the review's files with its size and the hash of no bytes, like every other file, so that the record of the review
 * (and internal audit) sees it. It was left out of the list.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {analyzeLogs, exampleDayLines, exampleLogMapping} from './helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-logs-empty-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

describe('an empty log file', () => {
  it('is listed among the files the review read, with 0 bytes and the hash of no bytes', async () => {
    const day = join(tmp, 'access-20261015.csv')
    const empty = join(tmp, 'access-20261016.csv')
    writeFileSync(day, exampleDayLines().join('\n') + '\n')
    writeFileSync(empty, '')
    const mapping = exampleLogMapping(join(tmp, 'map.yaml'), join(tmp, 'access-*.csv'), 'utf-8')
    const r = await analyzeLogs(mapping, '2026-10-15', '2026-10-16', {timeout: 120_000})
    expect(r.stderr).toBe('')
    const out = JSON.parse(r.stdout)
    const files = out.logs.files as {file: string; bytes: number; rows: number; sha256: string}[]
    expect(files.map((f) => f.file)).toEqual([day, empty])
    expect(files[1]).toMatchObject({
      bytes: 0,
      rows: 0,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    })
    expect(files[0].rows).toBeGreaterThan(300)
    // Its day still has no rows from the source.
    expect(
      out.findings.some(
        (f: {rule: string; message: {en: string}}) =>
          f.rule === 'logs/source-day-missing' && f.message.en.includes('2026-10-16'),
      ),
    ).toBe(true)
  })
})
