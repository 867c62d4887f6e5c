/**
 * `personal_data` in a log mapping: the export's columns of customers' personal data. A field mapped to one of them
 * would carry a customer's name or phone number into every report, so the mapping is refused at that field.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {loadMapping} from '../../../../src/facts/logs/mapping.js'
import {InputError} from '../../../../src/model/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'fa-mapping-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
writeFileSync(join(dir, 'access.csv'), '日時,端末ID,利用者ID,操作,契約名義,電話番号\n')

async function problems(fields: string, personal: string): Promise<string[]> {
  const file = join(dir, 'mapping.yaml')
  writeFileSync(
    file,
    [
      'version: 1',
      'source: src',
      'files: [access.csv]',
      'format: csv',
      'timestamp: {format: "%Y/%m/%d %H:%M:%S", zone: Asia/Tokyo}',
      'fields:',
      fields,
      personal,
      '',
    ].join('\n'),
  )
  try {
    await loadMapping(file)
    return []
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    return error.problems.map((p) => `${p.line}:${p.column} ${p.message} (${p.code})`)
  }
}

describe('personal_data in a log mapping', () => {
  it('a field mapped to a listed column is exit 2 at that field', async () => {
    const fields = '  time: 日時\n  terminal: 端末ID\n  user: 契約名義\n  action: 操作'
    expect(await problems(fields, 'personal_data: [契約名義, 電話番号]')).toEqual([
      '9:9 fields.user: column "契約名義" is listed in personal_data (customers\' personal data is never read) (E_MAPPING)',
    ])
    // Without the list the tool cannot tell the column's contents: the mapping is taken as written.
    expect(await problems(fields, '')).toEqual([])
  })

  it('listed columns that no field reads are accepted', async () => {
    const fields = '  time: 日時\n  terminal: 端末ID\n  user: 利用者ID\n  action: 操作'
    expect(await problems(fields, 'personal_data: [契約名義, 電話番号]')).toEqual([])
  })
})
