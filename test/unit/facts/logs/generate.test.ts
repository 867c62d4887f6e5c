import {createHash} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../../../src/inventory/load.js'
import {generateLogs} from '../../../../src/facts/logs/generate.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, {recursive: true, force: true})))

async function digest(
  seed: number,
  encoding: 'utf-8' | 'shift_jis' = 'utf-8',
): Promise<{hash: string; files: number; rows: number}> {
  const out = mkdtempSync(join(tmpdir(), 'fa-gen-'))
  dirs.push(out)
  const r = await generateLogs({
    inventory: await loadInventory('inventories/tohoku-example'),
    from: '2026-10-01',
    to: '2026-10-07',
    seed,
    out,
    perTerminalDay: 5,
    encoding,
    gzip: true,
  })
  const hash = createHash('sha256')
  for (const f of readdirSync(out).sort()) hash.update(readFileSync(join(out, f)))
  return {hash: hash.digest('hex'), files: r.files.length, rows: r.rows}
}

describe('the log generator', () => {
  it('gives the same bytes for the same seed, and other bytes for another', async () => {
    const a = await digest(1)
    expect(a.files).toBe(7)
    expect(a.rows).toBeGreaterThan(100)
    expect(await digest(1)).toEqual(a)
    expect((await digest(2)).hash).not.toBe(a.hash)
  })

  it('writes CP932 that decodes to the same text', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fa-gen-'))
    dirs.push(out)
    const inventory = await loadInventory('inventories/tohoku-example')
    await generateLogs({
      inventory,
      from: '2026-10-01',
      to: '2026-10-01',
      seed: 3,
      out: join(out, 'u'),
      perTerminalDay: 5,
    })
    await generateLogs({
      inventory,
      from: '2026-10-01',
      to: '2026-10-01',
      seed: 3,
      out: join(out, 's'),
      perTerminalDay: 5,
      encoding: 'shift_jis',
    })
    const utf8 = readFileSync(join(out, 'u', 'access-20261001.csv'), 'utf8')
    const sjis = new TextDecoder('shift_jis').decode(readFileSync(join(out, 's', 'access-20261001.csv')))
    expect(sjis).toBe(utf8)
    expect(utf8.split('\r\n')[0]).toBe(
      '日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,契約名義,電話番号,表示項目,件数',
    )
  })
})
