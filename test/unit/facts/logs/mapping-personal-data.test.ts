/**
 * `personal_data` in a log mapping: the export's columns of customers' personal data. A field mapped to one of them
 * would carry a customer's name or phone number into every report, so the mapping is refused at that field. A CSV
 * header's names are read trimmed, so a column listed as the header spells it with spaces is the column a field reads
 * without them; a JSON Lines key is exact; a column listed twice is a schema problem (exit 2), never a crash.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {loadMapping} from '../../../../src/facts/logs/mapping.js'
import {InputError} from '../../../../src/model/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'fa-mapping-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
// A header padded as fixed-width exports pad it: the reader trims the names.
writeFileSync(join(dir, 'access.csv'), '日時 ,端末ID ,利用者ID ,操作 ,契約名義 ,電話番号\n')
writeFileSync(
  join(dir, 'access.jsonl'),
  '{"日時":"","端末ID":"","利用者ID":"","操作":"","契約名義":"","契約名義 ":""}\n',
)

async function problems(format: 'csv' | 'jsonl', user: string, personal: string): Promise<string[]> {
  const file = join(dir, 'mapping.yaml')
  writeFileSync(
    file,
    [
      'version: 1',
      'source: src',
      `files: [access.${format}]`,
      `format: ${format}`,
      'timestamp: {format: "%Y/%m/%d %H:%M:%S", zone: Asia/Tokyo}',
      'fields:',
      `  time: 日時\n  terminal: 端末ID\n  user: ${user}\n  action: 操作`,
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

const refused = (column: string) =>
  `9:9 fields.user: column ${JSON.stringify(column)} is listed in personal_data (customers' personal data is never read) (E_MAPPING)`

describe('personal_data in a log mapping', () => {
  it('a field mapped to a listed column is exit 2 at that field', async () => {
    expect(await problems('csv', '契約名義', 'personal_data: [契約名義, 電話番号]')).toEqual([refused('契約名義')])
    // Without the list the tool cannot tell the column's contents: the mapping is taken as written.
    expect(await problems('csv', '契約名義', '')).toEqual([])
  })

  it('listed columns that no field reads are accepted', async () => {
    expect(await problems('csv', '利用者ID', 'personal_data: [契約名義, 電話番号]')).toEqual([])
  })

  it('a CSV column listed with the spaces of its header line is the column a field names without them', async () => {
    expect(await problems('csv', '契約名義', 'personal_data: ["契約名義 ", 電話番号]')).toEqual([refused('契約名義')])
    expect(await problems('csv', '契約名義', 'personal_data: [" 契約名義"]')).toEqual([refused('契約名義')])
    expect(await problems('csv', '利用者ID', 'personal_data: ["契約名義 "]')).toEqual([])
  })

  it('a JSON Lines key is exact: a key with a space is another key', async () => {
    expect(await problems('jsonl', '契約名義', 'personal_data: [契約名義]')).toEqual([refused('契約名義')])
    expect(await problems('jsonl', '契約名義', 'personal_data: ["契約名義 "]')).toEqual([])
  })

  it('a column listed twice is a problem at the list, not a crash', async () => {
    const p = await problems('csv', '契約名義', 'personal_data: [契約名義, 契約名義]')
    expect(p.length).toBeGreaterThan(0)
    expect(p[0]).toMatch(/^11:16 personal_data: /)
  })
})
