/**
 * A header that does not name the mapped columns because the mapping's encoding is the wrong one says so: a UTF-8
 * export (with or without a byte order mark) under `encoding: shift_jis`, a Shift_JIS one under `utf-8`.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {planFiles} from '../../../../src/facts/logs/files.js'
import {loadMapping} from '../../../../src/facts/logs/mapping.js'
import {encodeCp932} from '../../../../src/facts/logs/sjis.js'
import {InputError} from '../../../../src/model/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'fa-enc-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const HEADER = '日時,端末ID,利用者ID,操作\r\n2026/03/27 10:00:00,T-NW,N1,照会\r\n'

async function messages(encoding: string, bytes: Buffer): Promise<string[]> {
  writeFileSync(join(dir, 'access.csv'), bytes)
  const file = join(dir, 'mapping.yaml')
  writeFileSync(
    file,
    [
      'version: 1',
      'source: src',
      'files: [access.csv]',
      'format: csv',
      `encoding: ${encoding}`,
      'timestamp: {format: "%Y/%m/%d %H:%M:%S", zone: Asia/Tokyo}',
      'fields: {time: 日時, terminal: 端末ID, user: 利用者ID, action: 操作}',
      '',
    ].join('\n'),
  )
  try {
    await planFiles(await loadMapping(file), dir, {n: 0})
    return []
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return error.problems.map((p) => p.message)
  }
}

describe('a header read in the wrong encoding', () => {
  it('UTF-8 with a byte order mark under shift_jis: the mark is named', async () => {
    const found = await messages('shift_jis', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(HEADER)]))
    expect(found.length).toBeGreaterThan(0)
    expect(found[0]).toMatch(/^fields\.time: column "日時" is not in /)
    for (const m of found) expect(m).toMatch(/; the file starts with a UTF-8 byte order mark: is its encoding utf-8\?$/)
  })

  it('UTF-8 without a mark under shift_jis', async () => {
    const found = await messages('shift_jis', Buffer.from(HEADER))
    expect(found.length).toBeGreaterThan(0)
    for (const m of found) expect(m).toMatch(/; its first line reads as UTF-8: is its encoding utf-8\?$/)
  })

  it('Shift_JIS under utf-8', async () => {
    const found = await messages('utf-8', encodeCp932(HEADER))
    expect(found.length).toBeGreaterThan(0)
    for (const m of found) expect(m).toMatch(/; its first line is not UTF-8: is its encoding shift_jis\?$/)
  })

  it('the right encoding: no problem', async () => {
    expect(await messages('utf-8', Buffer.from(HEADER))).toEqual([])
    expect(await messages('shift_jis', encodeCp932(HEADER))).toEqual([])
  })
})
