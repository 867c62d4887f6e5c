/**
 * Golden files for every report format: test/golden/<scenario>.<exit code>.<format>.
 * Absolute paths, the tool's version and the `now` timestamp are cleaned out before comparing.
 * UPDATE_GOLDEN=1 rewrites them (then review the diff).
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import Ajv04Module from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import {describe, expect, it} from 'vitest'

import {displayWidth} from '../../src/report/width.js'
import {ROOT, run} from './helpers.js'

// A CommonJS module whose default export is the class; under NodeNext its types need the `.default` hop.
const Ajv04 = Ajv04Module.default
const GOLDEN = join(ROOT, 'test', 'golden')
const UPDATE = process.env.UPDATE_GOLDEN === '1'
const INV = join(ROOT, 'inventories', 'tohoku-example')
const FACTS = join(INV, 'facts')
const NOW = '2026-11-27'

type GoldenFormat = 'json' | 'sarif' | 'table' | 'junit' | 'markdown'

/** Replaces what differs between machines and releases; structural for JSON, so a stray match elsewhere is not hidden. */
function clean(format: GoldenFormat, text: string): string {
  if (format !== 'json' && format !== 'sarif') return text.replaceAll(ROOT, '<root>')
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
  format: GoldenFormat
  args: string[]
  env?: Record<string, string>
}

const AUDIT = ['audit', '-i', INV, '--facts', FACTS, '--now', NOW]
const CASES: GoldenCase[] = [
  {scenario: 'tohoku-example', exit: 1, format: 'json', args: [...AUDIT, '--format', 'json']},
  {scenario: 'tohoku-example', exit: 1, format: 'sarif', args: [...AUDIT, '--format', 'sarif']},
  {scenario: 'tohoku-example', exit: 1, format: 'junit', args: [...AUDIT, '--format', 'junit']},
  {scenario: 'tohoku-example', exit: 1, format: 'markdown', args: [...AUDIT, '--format', 'markdown']},
  {
    scenario: 'tohoku-example-ja',
    exit: 1,
    format: 'markdown',
    args: [...AUDIT, '--format', 'markdown', '--lang', 'ja'],
  },
  // The table at a narrow terminal (one block per finding), a wide one (message column wrapped), and in Japanese.
  {scenario: 'tohoku-example-80cols', exit: 1, format: 'table', args: AUDIT, env: {COLUMNS: '80'}},
  {scenario: 'tohoku-example-160cols', exit: 1, format: 'table', args: AUDIT, env: {COLUMNS: '160'}},
  {
    scenario: 'tohoku-example-ja-80cols',
    exit: 1,
    format: 'table',
    args: [...AUDIT, '--lang', 'ja'],
    env: {COLUMNS: '80'},
  },
  {
    scenario: 'tohoku-example-ja-160cols',
    exit: 1,
    format: 'table',
    args: [...AUDIT, '--lang', 'ja'],
    env: {COLUMNS: '160'},
  },
  {
    scenario: 'tohoku-example-validate',
    exit: 1,
    format: 'json',
    args: ['inventory', 'validate', '-i', INV, '--now', NOW, '--format', 'json'],
  },
  {
    scenario: 'tohoku-example-validate',
    exit: 1,
    format: 'sarif',
    args: ['inventory', 'validate', '-i', INV, '--now', NOW, '--format', 'sarif'],
  },
  {
    scenario: 'invalid-several-validate',
    exit: 2,
    format: 'json',
    args: [
      'inventory',
      'validate',
      '-i',
      join(ROOT, 'test/fixtures/inventories/invalid-several.yaml'),
      '--now',
      NOW,
      '--json',
    ],
  },
]

const outputs = new Map<string, Promise<string>>()
/** Each CLI run once, shared by the tests that read it. */
function output(c: GoldenCase): Promise<string> {
  const key = `${JSON.stringify(c.env ?? {})} ${c.args.join(' ')}`
  let p = outputs.get(key)
  if (!p) {
    p = run(c.args, {env: c.env}).then((r) => {
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

describe.concurrent('table width', () => {
  for (const c of CASES.filter((x) => x.format === 'table')) {
    const columns = Number(c.env!.COLUMNS)
    it(`${c.scenario}: no line is wider than ${columns} columns, every finding's message is there in full`, async () => {
      const text = await output(c)
      const widths = text.split('\n').map((l) => displayWidth(l))
      expect(Math.max(...widths)).toBeLessThanOrEqual(columns)
      // Wide layouts use the room they have: the widest line is close to the terminal's width.
      if (columns >= 160) expect(Math.max(...widths)).toBeGreaterThan(columns - 10)
      const lang = c.args.includes('ja') ? 'ja' : 'en'
      const json = JSON.parse(await output(CASES[0]))
      const flat = text.replaceAll(/[│\s]+/g, '')
      for (const f of json.findings) expect(flat).toContain(f.message[lang].replaceAll(/\s+/g, ''))
    })
  }

  it('table rows of one table all have the same display width, Japanese included', async () => {
    const text = await output(CASES.find((c) => c.scenario === 'tohoku-example-ja-160cols')!)
    const rows = text.split('\n').filter((l) => /^[│┌├└]/.test(l))
    expect(rows.length).toBeGreaterThan(20)
    expect(new Set(rows.map((l) => displayWidth(l))).size).toBe(1)
  })
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
        const id = r.ruleId.startsWith('waiver/')
          ? String(r.message.text).match(/waiver (\S+)/)![1]
          : r.properties.terminal
        expect(line, `${r.ruleId} ${r.properties.terminal}`).toMatch(new RegExp(`^\\s*- \\{?id: ${id}\\b`))
        expect(line.slice(region.startColumn - 1)).toMatch(new RegExp(`^\\{?id: ${id}\\b`))
      }
    })
  }

  it('a waived finding is a suppressed result; the others are not', async () => {
    const log = JSON.parse(await output(CASES[1]))
    const suppressed = log.runs[0].results.filter((r: {suppressions?: unknown[]}) => r.suppressions)
    expect(
      suppressed.map((r: {properties: {terminal: string}; ruleId: string}) => `${r.properties.terminal} ${r.ruleId}`),
    ).toEqual(['CC-DR-311 placement/nw-terminal-in-shared-zone'])
    expect(suppressed[0].suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'waiver W-2026-011 approved by nw-suzuki, until 2026-12-25',
      },
    ])
  })
})
