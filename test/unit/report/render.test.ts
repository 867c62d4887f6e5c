import {describe, expect, it} from 'vitest'

import {FORMATS, reporters} from '../../../src/report/index.js'
import {renderReport} from '../../../src/report/render.js'
import {runAudit} from '../../../src/app/audit.js'

// Commands render through renderReport, which loads only the chosen reporter's module; the registry in
// report/index.ts (evidence bundles, tests) must hold the same reporters under the same names.
describe('renderReport', () => {
  it('offers exactly the registry formats, in its order', () => {
    expect([...FORMATS]).toEqual(Object.keys(reporters))
  })

  it('renders every format exactly as the registry reporter does', async () => {
    const result = await runAudit(
      {inventory: 'inventories/tohoku-example', facts: 'inventories/tohoku-example/facts', failOn: 'high'},
      {now: new Date('2026-11-27T00:00:00Z')},
    )
    expect(result.findings.length).toBeGreaterThan(0)
    for (const format of FORMATS) {
      const options = {lang: 'en' as const, color: false, cwd: process.cwd(), width: 120}
      expect(await renderReport(format, result, options), format).toBe(reporters[format].render(result, options))
    }
  })
})
