import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

// The build's own ajv set-up (options, formats, code generation), so that this test compiles exactly what the build does.
// @ts-expect-error: a plain .mjs build script without type declarations
import {GENERATED_DIR, generateModule, moduleName, newAjv, readSchema, schemaFiles} from '../../../scripts/schemas.mjs'
import {FORMATS} from '../../../src/io/formats.js'
import {schemaProblems, schemaValidator} from '../../../src/io/schema.js'
import {parseYamlText, type YamlSource} from '../../../src/io/yaml.js'
import {formatProblem} from '../../../src/model/errors.js'

/*
 * The validators are compiled at build time (scripts/schemas.mjs → src/io/generated/). They must behave exactly
 * like the schemas compiled at run time with the same options and the product's real formats: same verdict, same
 * errors (so the same messages and the same file:line:column), on valid and invalid documents.
 */

const root = join(import.meta.dirname, '..', '..', '..')
type Validate = ((data: unknown) => boolean) & {errors?: unknown[] | null}

function runtimeValidator(file: string): Validate {
  return newAjv(FORMATS).compile(readSchema(file)) as Validate
}

function yamlSource(file: string, text: string): YamlSource {
  const r = parseYamlText(file, text)
  if (!r.ok) throw new Error(`fixture does not parse: ${file}`)
  return r.source
}

const read = (...p: string[]) => readFileSync(join(root, ...p), 'utf8')
const yamlIn = (dir: string) =>
  readdirSync(join(root, dir), {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))

/** Documents per schema: real files from the repo plus hand-made invalid ones, each with its expected verdict. */
function corpus(): Array<{schema: string; name: string; source: YamlSource; valid?: boolean}> {
  const docs: Array<{schema: string; name: string; source: YamlSource; valid?: boolean}> = []
  const add = (schema: string, name: string, text: string, valid?: boolean) =>
    docs.push({schema, name, source: yamlSource(name, text), valid})
  for (const f of [
    ...yamlIn('inventories/tohoku-example/sites'),
    'inventories/tohoku-example/fleet.yaml',
    'inventories/tohoku-example/people.yaml',
    'inventories/tohoku-example/waivers.yaml',
    'test/fixtures/inventories/valid.yaml',
    ...yamlIn('test/fixtures/inventories/valid-folder'),
  ])
    add('inventory.schema.json', f, read(f), true)
  for (const f of readdirSync(join(root, 'test/fixtures/inventories')).filter(
    (n) => n.startsWith('invalid-') && n.endsWith('.yaml') && n !== 'invalid-duplicate-key.yaml',
  ))
    add('inventory.schema.json', f, read('test/fixtures/inventories', f))
  // The custom formats, each accepted and refused by the product's own parsers.
  const site = (subnets: string) =>
    `sites:\n  - {id: s1, name: S, subnets: [${subnets}], zones: [{id: z, name: Z, kind: office, access: [nw]}]}\n`
  add('inventory.schema.json', 'cidr-ok.yaml', site('10.1.0.0/16, "2001:db8::/32"'), true)
  add('inventory.schema.json', 'cidr-bad.yaml', site('10.1.0.0/33, 10.1.0.0, "2001:db8::/129", 300.1.0.0/8'), false)
  add(
    'inventory.schema.json',
    'address-bad.yaml',
    'terminals:\n  - {id: T-1, hostname: t1, site: s1, zone: z, owner: nw, role: nw, address: "10.0.0.1:99999"}\n  - {id: T-2, hostname: t2, site: s1, zone: z, owner: nw, role: nw, address: "[::1"}\n',
    false,
  )
  add(
    'inventory.schema.json',
    'types-bad.yaml',
    'companies: {id: x}\nterminals:\n  - id: 5\n    extra: 1\npolicy: {idcard_required_from: "2026-13-01", timezone: 7}\n',
    false,
  )
  for (const f of readdirSync(join(root, 'inventories/tohoku-example/facts')).filter((n) => n.endsWith('.json')))
    add('facts.schema.json', f, read('inventories/tohoku-example/facts', f), true)
  const fact = JSON.parse(
    read('inventories/tohoku-example/facts', readdirSync(join(root, 'inventories/tohoku-example/facts'))[0]),
  )
  add(
    'facts.schema.json',
    'facts-ip-bad.json',
    JSON.stringify({...fact, client: {...fact.client, ips: ['10.0.0.256', 'fe80::1::2']}}),
    false,
  )
  add(
    'facts.schema.json',
    'facts-date-bad.json',
    JSON.stringify({...fact, collected_at: '2026-02-30T25:00:00Z', outcome: 'maybe', x: 1}),
    false,
  )
  for (const f of yamlIn('rules')) add('rules.schema.json', f, read(f), true)
  add('rules.schema.json', 'rules-bad.yaml', 'pack: Bad Pack\nrules:\n  - {id: x, severity: urgent}\n', false)
  add(
    'log-mapping.schema.json',
    'customer-system.yaml',
    read('inventories/tohoku-example/logs/customer-system.yaml'),
    true,
  )
  add('log-mapping.schema.json', 'mapping-bad.yaml', 'format: xml\ncolumns: 3\n', false)
  for (const f of ['v2-events.yaml', 'v2-acks.yaml'])
    add('handoff.schema.json', f, read('test/fixtures/ledger', f), true)
  // A hand-off's own formats: a time without its offset, free text with a bidi override and a control character.
  add(
    'handoff.schema.json',
    'handoff-bad.yaml',
    read('test/fixtures/ledger', 'v2-events.yaml')
      .replace(/(created_at: )"?([0-9T:-]+)[^\n]*/, '$1"$2"')
      .replace(/(issuer: )([^\n]+)/, '$1"x\\u202Ey\\u0007"'),
    false,
  )
  add('config.schema.json', 'config-ok.yaml', 'inventory: inv\nformat: sarif\nconcurrency: 8\nrules: [a, b]\n', true)
  add('config.schema.json', 'config-bad.yaml', 'format: pdf\nconcurrency: 0\nidentity_key: x\nrules: a\n', false)
  return docs
}

describe('validators compiled at build time', () => {
  it('exist for every schema in schemas/ and are what the build generates from it now (never edited by hand)', () => {
    const files: string[] = schemaFiles()
    expect(files).toEqual(
      readdirSync(join(root, 'schemas'))
        .filter((f) => f.endsWith('.schema.json'))
        .sort(),
    )
    for (const file of files) {
      expect(readFileSync(join(GENERATED_DIR, `${moduleName(file)}.ts`), 'utf8'), file).toBe(generateModule(file))
      expect(typeof schemaValidator(file), file).toBe('function')
    }
    expect(() => schemaValidator('nope.schema.json')).toThrow(/no validator generated/)
  })

  const docs = corpus()
  it.each(docs.map((d) => [d.schema, d.name, d] as const))(
    '%s: %s gets the same verdict and errors as the run-time compiled schema',
    (schema, _name, doc) => {
      const generated = schemaValidator(schema) as Validate
      const runtime = runtimeValidator(schema)
      const verdict = generated(doc.source.value)
      expect(runtime(doc.source.value)).toBe(verdict)
      if (doc.valid !== undefined) expect(verdict, JSON.stringify(generated.errors)).toBe(doc.valid)
      expect(generated.errors ?? null).toEqual(runtime.errors ?? null)
      // The same messages at the same file:line:column.
      const lines = (errors: unknown) => schemaProblems(doc.source, errors as never).map((p) => formatProblem(p))
      expect(lines(generated.errors)).toEqual(lines(runtime.errors))
    },
  )

  it('refuses what the product parsers refuse (custom formats ip, cidr, address), at its line and column', () => {
    const byName = new Map(docs.map((d) => [d.name, d]))
    const problems = (name: string) => {
      const d = byName.get(name)!
      const validate = schemaValidator(d.schema)
      expect(validate(d.source.value)).toBe(false)
      return schemaProblems(d.source, validate.errors).map((p) => formatProblem(p))
    }
    expect(problems('cidr-bad.yaml')).toEqual([
      'cidr-bad.yaml:2:33 sites[0].subnets[0]: is not a valid cidr (E_SCHEMA)',
      'cidr-bad.yaml:2:46 sites[0].subnets[1]: is not a valid cidr (E_SCHEMA)',
      'cidr-bad.yaml:2:56 sites[0].subnets[2]: is not a valid cidr (E_SCHEMA)',
      'cidr-bad.yaml:2:74 sites[0].subnets[3]: is not a valid cidr (E_SCHEMA)',
    ])
    expect(problems('address-bad.yaml').filter((l) => l.includes('address'))).toEqual([
      'address-bad.yaml:2:78 terminals[0].address: is not a valid address (E_SCHEMA)',
      'address-bad.yaml:3:78 terminals[1].address: does not have the expected form (^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$) (E_SCHEMA)',
      'address-bad.yaml:3:78 terminals[1].address: is not a valid address (E_SCHEMA)',
    ])
    expect(problems('facts-ip-bad.json').filter((l) => l.includes('.ips'))).toEqual([
      expect.stringMatching(/^facts-ip-bad\.json:1:\d+ client\.ips\[0\]: is not a valid ip \(E_SCHEMA\)$/),
      expect.stringMatching(/^facts-ip-bad\.json:1:\d+ client\.ips\[1\]: is not a valid ip \(E_SCHEMA\)$/),
    ])
  })
})
