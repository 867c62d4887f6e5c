/**
 * logs/unknown-user names one terminal: the one of the id's first use. When the id was first used at the same second on
 * several terminals, the finding must not depend on the engine's plan (the ENUM lookup and the join read the same
 * rows in another order and named different terminals): the smallest terminal id of that second.
 */
import {readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {baseLogInventory, cleanup, review, writeScenario} from '../../facts/logs/scenario.js'

afterAll(cleanup)

describe('logs/unknown-user on a tie', () => {
  it('names the smallest terminal id among those of the first second, whatever the plan', async () => {
    const s = await writeScenario(baseLogInventory())
    for (const f of readdirSync(s.logs)) rmSync(join(s.logs, f))
    const lines = ['T-NW2', 'T-RT', 'T-NW', 'T-NW2'].flatMap((t, i) => [
      `2026/03/25 00:00:00,${t},NW,X9,照会,0300000000000000000201,氏名,1`,
      `2026/03/2${5 + i} 10:00:00,${t},NW,X9,出力,0300000000000000000201,,${i + 1}`,
    ])
    writeFileSync(
      join(s.logs, 'access.csv'),
      ['日時,端末ID,端末設定,利用者ID,操作,供給地点特定番号,表示項目,件数', ...lines, ''].join('\n'),
    )
    for (const supplyPointEnumMax of [undefined, 0]) {
      const found = (await review(s, {show: true, supplyPointEnumMax})).findings.filter(
        (f) => f.rule === 'logs/unknown-user',
      )
      expect(found.map((f) => `${f.terminal} ${f.message.en}`)).toEqual([
        'T-NW user id X9 is not declared for any person; used 8 times on 3 terminal(s), first 2026-03-25T00:00:00+09:00',
      ])
    }
  })
})
