/**
 * `evidence verify` against a hostile signer, through the compiled CLI on real bundles: the retail company signs a
 * bundle whose own inventory puts a key of retail's on the NW company, so that acknowledgements "from NW" that
 * retail signed itself make its rejected install look verified; and a signed manifest whose ledger path leaves the
 * bundle, so the re-run reads a file no hash covers.
 */
import {sign} from 'node:crypto'
import {cpSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  KEYS as keys,
  NW_FP as nwFp,
  ok,
  RETAIL_FP as retailFp,
  retailInstallsRecheckedByNw,
  nwAcksBack,
} from './evidence-support.js'
import {EXAMPLE, EXAMPLE_FACTS, run, tempDir} from './helpers.js'

const tmp = tempDir('fa-evidence-trust-')
const at = (name: string) => join(tmp.dir, name)

beforeAll(async () => {
  // Retail's two installs, handed to NW and re-checked there (IS-RT-101 rejected): evidence-support.ts.
  const {nw} = await retailInstallsRecheckedByNw(at)
  // The real NW sends its acknowledgements back.
  await nwAcksBack(nw, at)

  // The forgery: an inventory of retail's in which tohoku-nw's public_key is a key retail made, and "NW's" acks
  // from a ledger retail keeps under that inventory, re-checked with facts edited to show IS-RT-101 as retail.
  const keygen = await run(['ledger', 'keygen', at('evil')])
  expect(keygen.code).toBe(0)
  cpSync(EXAMPLE, at('fake'), {recursive: true})
  const fleet = join(at('fake'), 'fleet.yaml')
  const text = readFileSync(fleet, 'utf8')
  const forged = text.replace(
    /( {2}- id: tohoku-nw\n(?:.*\n)*? {4}public_key: )\|\n(?: {6}.*\n)+/,
    `$1${readFileSync(at('evil.pub'), 'utf8').split('\n')[1]}\n`,
  )
  expect(forged).not.toBe(text)
  writeFileSync(fleet, forged)
  cpSync(EXAMPLE_FACTS, at('fake-facts'), {recursive: true})
  const f = join(at('fake-facts'), 'IS-RT-101.json')
  writeFileSync(f, readFileSync(f, 'utf8').replace('"role": "nw"', '"role": "retail"'))
  const fake = ['--db', at('fake-nw.sqlite'), '-i', at('fake')]
  await ok(['ledger', 'import', at('handoff.yaml'), ...fake, '--as', 'tohoku-nw'])
  await ok(['ledger', 'recheck', ...fake, '--as', 'tohoku-nw', '--actor', 'nw-sato', '--facts', at('fake-facts')])
  await ok([
    'ledger',
    'export',
    '--acks',
    ...fake,
    '--from',
    'tohoku-nw',
    '--to',
    'tohoku-epco',
    '--key',
    at('evil.key'),
    '-o',
    at('fake-acks.yaml'),
  ])

  // Two bundles signed by retail with its real key: one with NW's real acks, one with the forged ones.
  const create = (inv: string, acks: string, out: string) =>
    ok([
      'evidence',
      'create',
      '-i',
      inv,
      '--facts',
      EXAMPLE_FACTS,
      '--ledger',
      at('handoff.yaml'),
      acks,
      '--key',
      join(keys, 'tohoku-epco.key'),
      '-o',
      at(out),
    ])
  await Promise.all([create(EXAMPLE, at('acks.yaml'), 'genuine'), create(at('fake'), at('fake-acks.yaml'), 'forged')])
}, 180_000)

afterAll(() => tmp.remove())

const verify = (bundle: string, ...trust: string[]) =>
  run(['evidence', 'verify', at(bundle), ...trust], {timeout: 60_000})

describe('evidence verify: the keys the re-run relies on are anchored by the verifier, not by the signer', () => {
  it('the forged bundle hides the rejected install in its own reports', () => {
    const rules = (b: string) =>
      JSON.parse(readFileSync(join(at(b), 'reports/audit.json'), 'utf8'))
        .findings.filter((x: {terminal: string}) => x.terminal === 'IS-RT-101')
        .map((x: {rule: string}) => x.rule)
    expect(rules('genuine')).toContain('ledger/rejected-unresolved')
    expect(rules('forged')).not.toContain('ledger/rejected-unresolved')
  })

  it("a genuine bundle verifies with the trusted inventory, or with both companies' keys pinned (exit 0)", async () => {
    const a = await verify('genuine', '--trust-inventory', EXAMPLE)
    expect(a.stdout).toContain('reproduced')
    expect(a.code).toBe(0)
    const b = await verify('genuine', '--trust-key', retailFp, '--trust-key', nwFp)
    expect(b.code).toBe(0)
  })

  it('refuses a bundle whose inventory gives the other company a key the trusted inventory does not (exit 1)', async () => {
    const r = await verify('forged', '--trust-inventory', EXAMPLE)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`the public_key of "tohoku-nw" in the bundle's inventory`)
    expect(r.stdout).toContain(`is not the one in the trusted inventory ${EXAMPLE} (${nwFp})`)
  })

  it('with --trust-key, the key of every other company that signed a hand-off file must be pinned too (exit 1)', async () => {
    for (const bundle of ['forged', 'genuine']) {
      const r = await verify(bundle, '--trust-key', retailFp)
      expect(r.code, bundle).toBe(1)
      expect(r.stdout).toContain(
        'hand-off files signed by "tohoku-nw" are checked with the key the bundle\'s own inventory gives it',
      )
    }

    const pinnedReal = await verify('forged', '--trust-key', retailFp, '--trust-key', nwFp)
    expect(pinnedReal.code).toBe(1)
    expect(pinnedReal.stdout).toContain('which no --trust-key pins')
  })
})

describe('evidence verify: the re-run reads only bundle files', () => {
  it('refuses a signed manifest whose ledger path leaves the bundle (exit 1)', async () => {
    const db = at('events.sqlite')
    await ok([
      'ledger',
      'record',
      'install',
      '--db',
      db,
      '-i',
      EXAMPLE,
      '--terminal',
      'HC-NW-001',
      '--issuer',
      'tohoku-nw',
      '--actor',
      'nw-sato',
      '--approver',
      'nw-suzuki',
    ])
    await ok([
      'evidence',
      'create',
      '-i',
      EXAMPLE,
      '--facts',
      EXAMPLE_FACTS,
      '--db',
      db,
      '--key',
      join(keys, 'tohoku-nw.key'),
      '-o',
      at('outside/bundle'),
    ])
    const good = await verify('outside/bundle', '--trust-key', nwFp)
    expect(good.code).toBe(0)
    // The same events, moved next to the bundle where no hash covers them, and the manifest re-signed to point there.
    const bundle = at('outside/bundle')
    mkdirSync(at('outside/elsewhere'))
    writeFileSync(at('outside/elsewhere/events.json'), readFileSync(join(bundle, 'ledger/events.json')))
    const m = join(bundle, 'manifest.json')
    const text = readFileSync(m, 'utf8').replace(
      /"events": "ledger\/events.json"/,
      '"events": "../elsewhere/events.json"',
    )
    expect(text).toContain('../elsewhere/events.json')
    writeFileSync(m, text)
    const sig = sign(null, Buffer.from(text), readFileSync(join(keys, 'tohoku-nw.key'), 'utf8')).toString('base64')
    writeFileSync(join(bundle, 'manifest.sig'), JSON.stringify({algorithm: 'ed25519', key: nwFp, value: sig}))
    const r = await verify('outside/bundle', '--trust-key', nwFp)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('manifest.json: not a fleet-audit-evidence/1 manifest')
  })
})
