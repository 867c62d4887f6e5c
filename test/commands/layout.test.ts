/**
 * The architecture's rules are checked by tools in `npm test` (dependency-cruiser: `npm run boundaries`; ESLint:
 * `npm run lint`). These tests prove the tools would catch a violation: a planted import across a boundary, and a
 * planted print in the core.
 */
import {execFile} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {ESLint} from 'eslint'
import {afterAll, describe, expect, it} from 'vitest'

import {ROOT} from './helpers.js'

const run = promisify(execFile)
const scratch = mkdtempSync(join(tmpdir(), 'fa-layout-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

/** A minimal copy of the layout with the real config and the planted files; returns depcruise's exit code and output. */
async function cruise(planted: Record<string, string>): Promise<{code: number; out: string}> {
  const dir = mkdtempSync(join(scratch, 'tree-'))
  for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json']) cpSync(join(ROOT, f), join(dir, f))
  const files = {
    'src/ledger/store.ts': 'export const openLedger = 1\n',
    'src/model/types.ts': 'export const x = 1\n',
    ...planted,
  }
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), {recursive: true})
    writeFileSync(join(dir, f), text)
  }

  try {
    const {stdout, stderr} = await run(
      join(ROOT, 'node_modules', '.bin', 'depcruise'),
      ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
      {cwd: dir},
    )
    return {code: 0, out: stdout + stderr}
  } catch (error) {
    const e = error as {code: number; stdout: string; stderr: string}
    return {code: e.code, out: e.stdout + e.stderr}
  }
}

describe('layout rules are enforced by tools', () => {
  it('dependency-cruiser refuses a report that opens the ledger store, and a model that imports a stage', async () => {
    const bad = "import {openLedger} from '../ledger/store.js'\nexport const y = openLedger\n"
    const r = await cruise({
      'src/report/bad.ts': bad,
      'src/model/bad.ts': bad,
      'src/report/fine.ts': "import {x} from '../model/types.js'\nexport const z = x\n",
    })
    expect(r.code).not.toBe(0)
    expect(r.out).toMatch(/report-imports: src\/report\/bad\.ts → src\/ledger\/store\.ts/)
    expect(r.out).toMatch(/ledger-opened-by-app: src\/report\/bad\.ts/)
    expect(r.out).toMatch(/model-imports: src\/model\/bad\.ts/)
    expect(r.out).not.toMatch(/fine\.ts/)
  })

  it('ESLint refuses a print or an exit in the core, and allows them in a command', async () => {
    const eslint = new ESLint({cwd: ROOT})
    const text = "export function f(): void {\n  console.log('x')\n  process.exit(1)\n}\n"
    const [core] = await eslint.lintText(text, {filePath: join(ROOT, 'src/report/loud.ts')})
    expect(core.messages.map((m) => m.ruleId)).toEqual(['no-console', 'no-restricted-properties'])
    expect(core.messages[1].message).toMatch(/src\/ never exits/)
    const [command] = await eslint.lintText(text, {filePath: join(ROOT, 'commands/loud.ts')})
    expect(command.messages).toEqual([])
  })
})
