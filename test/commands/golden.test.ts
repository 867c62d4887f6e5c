/**
 * Golden files for the machine formats: test/golden/<scenario>.<exit code>.<format>.
 * Absolute paths, the tool's version and the `now` timestamp are cleaned out before comparing.
 * UPDATE_GOLDEN=1 rewrites them (then review the diff).
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import Ajv04Module from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import {describe, expect, it} from 'vitest'

import {ROOT, run} from './helpers.js'

// A CommonJS module whose default export is the class; under NodeNext its types need the `.default` hop.
const Ajv04 = Ajv04Module.default
const GOLDEN = join(ROOT, 'test', 'golden')
const UPDATE = process.env.UPDATE_GOLDEN === '1'
const INV = join(ROOT, 'inventories', 'tohoku-example')
const FACTS = join(INV, 'facts')
const NOW = '2026-11-27'

/** Replaces what differs between machines and releases; structural, so a stray match elsewhere is not hidden. */
function clean(format: 'json' | 'sarif', text: string): string {
  const doc = JSON.parse(text)
  if (format === 'json') {
    if (doc.tool) doc.tool.version = '<version>'
    if (doc.now) doc.now = '<now>'
  } else {
    for (const r of doc.runs) r.tool.driver.version = '<version>'
  }

  return `${JSON.stringify(doc, null, 2).replaceAll(ROOT, '<root>')}\n`
}

interface GoldenCase {
  scenario: string
  exit: number
  format: 'json' | 'sarif'
  args: string[]
}

const CASES: GoldenCase[] = [
  {scenario: 'tohoku-example', exit: 1, format: 'json', args: ['audit', '-i', INV, '--facts', FACTS, '--now', NOW, '--format', 'json']},
  {scenario: 'tohoku-example', exit: 1, format: 'sarif', args: ['audit', '-i', INV, '--facts', FACTS, '--now', NOW, '--format', 'sarif']},
  {scenario: 'tohoku-example-validate', exit: 1, format: 'json', args: ['inventory', 'validate', '-i', INV, '--now', NOW, '--format', 'json']},
  {scenario: 'tohoku-example-validate', exit: 1, format: 'sarif', args: ['inventory', 'validate', '-i', INV, '--now', NOW, '--format', 'sarif']},
  {scenario: 'invalid-several-validate', exit: 2, format: 'json', args: ['inventory', 'validate', '-i', join(ROOT, 'test/fixtures/inventories/invalid-several.yaml'), '--now', NOW, '--json']},
]

const outputs = new Map<string, Promise<string>>()
/** Each CLI run once, shared by the tests that read it. */
function output(c: GoldenCase): Promise<string> {
  const key = c.args.join(' ')
  let p = outputs.get(key)
  if (!p) {
    p = run(c.args).then((r) => {
      expect(r.stderr).toBe('')
      expect(r.code).toBe(c.exit)
      return r.stdout
    })
    outputs.set(key, p)
  }

  return p
}

describe.concurrent('golden files', () => {
  for (const c of CASES) {
    const name = `${c.scenario}.${c.exit}.${c.format}`
    it(name, async () => {
      const actual = clean(c.format, await output(c))
      const file = join(GOLDEN, name)
      if (UPDATE || !existsSync(file)) {
        if (!UPDATE) throw new Error(`${name} is missing: run with UPDATE_GOLDEN=1 to create it`)
        writeFileSync(file, actual)
      }

      expect(actual).toBe(readFileSync(file, 'utf8'))
    })
  }
})

describe.concurrent('SARIF', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'))
  const ajv = new Ajv04({strict: false, allErrors: true})
  addFormats.default(ajv)
  const validate = ajv.compile(schema)

  for (const c of CASES.filter((x) => x.format === 'sarif')) {
    it(`${c.scenario} validates against the SARIF 2.1.0 schema`, async () => {
      const log = JSON.parse(await output(c))
      const ok = validate(log)
      expect(ajv.errorsText(validate.errors), 'schema errors').toBe('No errors')
      expect(ok).toBe(true)
    })

    it(`${c.scenario}: each result points at the line where its terminal (or waiver) is declared`, async () => {
      const log = JSON.parse(await output(c))
      const [sarifRun] = log.runs
      const ruleIds = sarifRun.tool.driver.rules.map((r: {id: string}) => r.id)
      expect(sarifRun.results.length).toBeGreaterThan(0)
      for (const r of sarifRun.results) {
        expect(ruleIds[r.ruleIndex]).toBe(r.ruleId)
        expect(['error', 'warning', 'note']).toContain(r.level)
        const {artifactLocation, region} = r.locations[0].physicalLocation
        expect(artifactLocation.uri).toMatch(/^inventories\/tohoku-example\/.+\.yaml$/) // relative to the working folder
        const line = readFileSync(join(ROOT, artifactLocation.uri), 'utf8').split('\n')[region.startLine - 1]
        const id = r.ruleId.startsWith('waiver/') ? String(r.message.text).match(/waiver (\S+)/)![1] : r.properties.terminal
        expect(line, `${r.ruleId} ${r.properties.terminal}`).toMatch(new RegExp(`^\\s*- \\{?id: ${id}\\b`))
        expect(line.slice(region.startColumn - 1)).toMatch(new RegExp(`^\\{?id: ${id}\\b`))
      }
    })
  }

  it('a waived finding is a suppressed result; the others are not', async () => {
    const log = JSON.parse(await output(CASES[1]))
    const suppressed = log.runs[0].results.filter((r: {suppressions?: unknown[]}) => r.suppressions)
    expect(suppressed.map((r: {properties: {terminal: string}; ruleId: string}) => `${r.properties.terminal} ${r.ruleId}`)).toEqual(['CC-DR-311 placement/nw-terminal-in-shared-zone'])
    expect(suppressed[0].suppressions).toEqual([{kind: 'external', status: 'accepted', justification: 'waiver W-2026-011 approved by nw-suzuki, until 2026-12-25'}])
  })
})
