/**
 * `evidence create` and `evidence verify` through the compiled CLI: a real signed bundle of the bundled example
 * (folder and .tar.gz), then every way it can be broken.
 */
import {createHash, generateKeyPairSync, sign} from 'node:crypto'
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import {join} from 'node:path'

import * as tar from 'tar'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_NOW, run, tempDir} from './helpers.js'

const tmp = tempDir('fa-evidence-')
const inv = join(tmp.dir, 'inv')
const key = join(tmp.dir, 'keys', 'nw')
let fingerprint: string
let folder: string
let archive: string
/** How many files `evidence create` said the folder bundle's manifest lists. */
let created: number

beforeAll(async () => {
  cpSync(EXAMPLE, inv, {recursive: true})
  mkdirSync(join(tmp.dir, 'keys'))
  const keygen = await run(['ledger', 'keygen', key])
  expect(keygen.code).toBe(0)
  fingerprint = /fingerprint (SHA256:\S+)/.exec(keygen.stdout)![1]
  // The NW company signs; its public key goes on it in the inventory, as `ledger keygen` says.
  const pub = readFileSync(`${key}.pub`, 'utf8').split('\n')[1]
  const fleet = join(inv, 'fleet.yaml')
  // The example ships its own key pair for tohoku-nw: replace that public key with this test's.
  const text = readFileSync(fleet, 'utf8')
  const replaced = text.replace(/( {2}- id: tohoku-nw\n(?:.*\n)*? {4}public_key: )\|\n(?: {6}.*\n)+/, `$1${pub}\n`)
  expect(replaced).not.toBe(text)
  writeFileSync(fleet, replaced)
  folder = join(tmp.dir, 'bundle')
  archive = join(tmp.dir, 'bundle.tar.gz')
  const args = [
    'evidence',
    'create',
    '-i',
    inv,
    '--facts',
    join(inv, 'facts'),
    '--now',
    EXAMPLE_NOW,
    '--key',
    `${key}.key`,
  ]
  const [a, b] = await Promise.all([run([...args, '-o', folder]), run([...args, '-o', archive, '--log', fleet])])
  expect(a.stderr).toBe('')
  expect(a.code).toBe(0)
  expect(a.stdout).toContain('signed by tohoku-nw')
  created = Number(/: (\d+) files and their manifest, signed by/.exec(a.stdout)?.[1])
  expect(b.code).toBe(0)
}, 120_000)

afterAll(() => tmp.remove())

/** A fresh copy of the good folder bundle to break. */
function copy(name: string): string {
  const dir = join(tmp.dir, name)
  cpSync(folder, dir, {recursive: true})
  return dir
}

const verify = (bundle: string, ...trust: string[]) =>
  run(['evidence', 'verify', bundle, ...(trust.length ? trust : ['--trust-key', fingerprint])], {timeout: 60_000})

describe('evidence create', () => {
  it('writes inputs, rule packs, reports and a manifest of every file with its SHA-256', () => {
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'))
    expect(manifest.format).toBe('fleet-audit-evidence/1')
    expect(manifest.now).toBe('2026-11-27T12:00:00.000Z')
    expect(manifest.signer).toEqual({company: 'tohoku-nw', key: fingerprint})
    const paths = manifest.files.map((f: {path: string}) => f.path)
    for (const p of [
      'inputs/inventory/fleet.yaml',
      'inputs/inventory/waivers.yaml',
      'inputs/inventory/sites/hachinohe.yaml',
      'inputs/facts/HC-NW-001.json',
      'inputs/rules/builtin/placement.yaml',
      'reports/audit.html',
      'reports/audit.json',
      'reports/audit.sarif',
    ])
      expect(paths).toContain(p)
    for (const f of manifest.files)
      expect(
        createHash('sha256')
          .update(readFileSync(join(folder, f.path)))
          .digest('hex'),
        f.path,
      ).toBe(f.sha256)
    // Reports speak of the bundle's own files, not of wherever it was made.
    const report = readFileSync(join(folder, 'reports/audit.json'), 'utf8')
    expect(report).not.toContain(tmp.dir)
    expect(JSON.parse(report).findings[0].location.file).toMatch(/^inputs\/inventory\//)
    expect(JSON.parse(report).summary.failing).toBe(12)
    expect(readFileSync(join(folder, 'reports/audit.html'), 'utf8')).not.toContain(tmp.dir)
  })

  it("refuses a key that is no company's, and an existing output (exit 2)", async () => {
    const other = join(tmp.dir, 'keys', 'other')
    await run(['ledger', 'keygen', other])
    const r = await run([
      'evidence',
      'create',
      '-i',
      inv,
      '--facts',
      join(inv, 'facts'),
      '--key',
      `${other}.key`,
      '-o',
      join(tmp.dir, 'nope'),
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('is not the public_key of any company in the inventory')
    const again = await run([
      'evidence',
      'create',
      '-i',
      inv,
      '--facts',
      join(inv, 'facts'),
      '--key',
      `${key}.key`,
      '-o',
      folder,
    ])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('already exists')
  })
})

describe('evidence verify', () => {
  it('verifies a folder bundle with a pinned key: hashes, signature, and the same findings re-run (exit 0)', async () => {
    const r = await verify(folder)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('trusted by --trust-key')
    expect(r.stdout).toMatch(/OK {2}\d+ files, signature, 13 findings and every report reproduced/)
    // The same count as `evidence create` said (it used to count the manifest and its signature too).
    expect(created).toBeGreaterThan(10)
    expect(r.stdout).toContain(`OK  ${created} files,`)
  })

  it('verifies an archive against an inventory the verifier holds (exit 0); log files are recorded by hash only', async () => {
    const r = await verify(archive, '--trust-inventory', inv)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('trusted by --trust-inventory')
    const out = join(tmp.dir, 'unpacked')
    mkdirSync(out)
    await tar.x({file: archive, cwd: out})
    const logs = JSON.parse(readFileSync(join(out, 'logs/hashes.json'), 'utf8'))
    expect(logs[0].sha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(inv, 'fleet.yaml')))
        .digest('hex'),
    )
  })

  it('names a missing, an extra and an altered file, and the findings that no longer reproduce (exit 1)', async () => {
    const b = copy('broken-files')
    unlinkSync(join(b, 'inputs/rules/builtin/waiver.yaml'))
    writeFileSync(join(b, 'inputs/facts/EXTRA.json'), '{}')
    appendFileSync(join(b, 'inputs/facts/HC-NW-001.json'), ' ')
    writeFileSync(
      join(b, 'inputs/facts/IS-RT-101.json'),
      readFileSync(join(b, 'inputs/facts/IS-RT-101.json'), 'utf8').replace('"role": "nw"', '"role": "retail"'),
    )
    const r = await verify(b, '--trust-key', fingerprint, '--json')
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    expect(result.ok).toBe(false)
    const by = (kind: string) =>
      result.problems
        .filter((p: {kind: string}) => p.kind === kind)
        .map((p: {path?: string; message: string}) => p.path ?? p.message)
    expect(by('missing')).toEqual(['inputs/rules/builtin/waiver.yaml'])
    expect(by('extra')).toEqual(['inputs/facts/EXTRA.json'])
    expect(by('altered').sort()).toEqual(['inputs/facts/HC-NW-001.json', 'inputs/facts/IS-RT-101.json'])
    // The facts edited to hide the incident: the re-run no longer finds what the signed report says.
    expect(by('not-reproduced').join('\n')).toContain('re-run no longer finds: IS-RT-101 reconcile/role-mismatch')
  })

  it('names a symlink planted in a folder bundle (exit 1)', async () => {
    const b = copy('with-link')
    symlinkSync('/etc/passwd', join(b, 'inputs/facts/passwd.json'))
    const r = await verify(b)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('inputs/facts/passwd.json: not a regular file')
  })

  it('refuses an altered manifest and a signature by another key (exit 1)', async () => {
    const b = copy('altered-manifest')
    const m = join(b, 'manifest.json')
    writeFileSync(m, readFileSync(m, 'utf8').replace('"failing": 12', '"failing": 0'))
    const r = await verify(b)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('manifest.json: the signature does not verify with the key of "tohoku-nw"')

    // Re-signed by someone else's key: the manifest is consistent, the signature is not the signer's.
    const c = copy('other-signature')
    const {privateKey} = generateKeyPairSync('ed25519')
    const text = readFileSync(join(c, 'manifest.json'))
    writeFileSync(
      join(c, 'manifest.sig'),
      JSON.stringify({
        algorithm: 'ed25519',
        key: 'SHA256:someone-else',
        value: sign(null, text, privateKey).toString('base64'),
      }),
    )
    const s = await verify(c)
    expect(s.code).toBe(1)
    expect(s.stdout).toContain('signed by SHA256:someone-else')

    const d = copy('unsigned')
    unlinkSync(join(d, 'manifest.sig'))
    const u = await verify(d)
    expect(u.code).toBe(1)
    expect(u.stdout).toContain('manifest.sig: missing')
  })

  it('refuses a signer that is not in the inventory, or whose key is not the trusted one (exit 1)', async () => {
    // A bundle whose manifest names a company the inventory does not have, re-signed with the same key.
    const b = copy('ghost-signer')
    const m = join(b, 'manifest.json')
    const text = readFileSync(m, 'utf8').replace('"company": "tohoku-nw"', '"company": "ghost-co"')
    writeFileSync(m, text)
    const pem = readFileSync(`${key}.key`, 'utf8')
    writeFileSync(
      join(b, 'manifest.sig'),
      JSON.stringify({
        algorithm: 'ed25519',
        key: fingerprint,
        value: sign(null, Buffer.from(text), pem).toString('base64'),
      }),
    )
    const r = await verify(b)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('signer "ghost-co" is not a company of the bundle\'s inventory')

    const pinned = await verify(folder, '--trust-key', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    expect(pinned.code).toBe(1)
    expect(pinned.stdout).toContain('is not one of the --trust-key fingerprints')

    // The example as published carries another key for tohoku-nw: a verifier holding it cannot vouch for this signer.
    const held = await verify(folder, '--trust-inventory', EXAMPLE)
    expect(held.code).toBe(1)
    expect(held.stdout).toContain('the signature does not verify with the key of "tohoku-nw"')
    // A trusted inventory that declares no key for the signer cannot vouch for it either.
    const keyless = join(tmp.dir, 'keyless')
    cpSync(EXAMPLE, keyless, {recursive: true})
    const fleetText = readFileSync(join(keyless, 'fleet.yaml'), 'utf8')
    const stripped = fleetText.replace(/( {2}- id: tohoku-nw\n(?:.*\n)*?) {4}public_key: \|\n(?: {6}.*\n)+/, '$1')
    expect(stripped).not.toBe(fleetText)
    writeFileSync(join(keyless, 'fleet.yaml'), stripped)
    const none = await verify(folder, '--trust-inventory', keyless)
    expect(none.code).toBe(1)
    expect(none.stdout).toContain('signer "tohoku-nw" has no public_key in the trusted inventory')
  })

  it('needs a trust anchor (exit 2)', async () => {
    const r = await run(['evidence', 'verify', folder])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('needs a trust anchor')
  })

  it('refuses damaged and unsafe archives before unpacking anything (exit 2)', async () => {
    const truncated = join(tmp.dir, 'truncated.tar.gz')
    cpSync(archive, truncated)
    truncateSync(truncated, Math.floor(readFileSync(archive).length / 2))
    const t = await verify(truncated)
    expect(t.code).toBe(2)
    expect(t.stderr).toMatch(/truncated\.tar\.gz not a readable bundle archive/)

    const src = join(tmp.dir, 'evil-src')
    mkdirSync(join(src, 'sub'), {recursive: true})
    writeFileSync(join(src, 'sub', 'a.txt'), 'a')
    symlinkSync('/etc/passwd', join(src, 'link'))
    const withLink = join(tmp.dir, 'link.tar.gz')
    await tar.c({gzip: true, file: withLink, cwd: src}, ['sub/a.txt', 'link'])
    const l = await verify(withLink)
    expect(l.code).toBe(2)
    expect(l.stderr).toContain('entry "link" is a SymbolicLink')

    const escape = join(tmp.dir, 'escape.tar.gz')
    await tar.c({gzip: true, file: escape, cwd: join(src, 'sub'), preservePaths: true}, ['../sub/a.txt'])
    const e = await verify(escape)
    expect(e.code).toBe(2)
    expect(e.stderr).toContain('path is absolute or leaves the bundle')
    rmSync(src, {recursive: true})
  })
})

describe('evidence with a ledger database', () => {
  it('keeps the events and chain heads, read-only, and reproduces the ledger findings', async () => {
    const db = join(tmp.dir, 'ledger.sqlite')
    const rec = await run([
      'ledger',
      'record',
      'install',
      '-i',
      inv,
      '--db',
      db,
      '--terminal',
      'HC-NW-010',
      '--issuer',
      'tohoku-nw',
      '--actor',
      'nw-sato',
      '--approver',
      'nw-suzuki',
      '--now',
      EXAMPLE_NOW,
    ])
    expect(rec.stderr).toBe('')
    const before = createHash('sha256').update(readFileSync(db)).digest('hex')
    const out = join(tmp.dir, 'with-ledger')
    const c = await run([
      'evidence',
      'create',
      '-i',
      inv,
      '--facts',
      join(inv, 'facts'),
      '--db',
      db,
      '--now',
      EXAMPLE_NOW,
      '--key',
      `${key}.key`,
      '-o',
      out,
    ])
    expect(c.code).toBe(0)
    expect(createHash('sha256').update(readFileSync(db)).digest('hex')).toBe(before)
    const heads = JSON.parse(readFileSync(join(out, 'ledger/heads.json'), 'utf8'))
    expect(heads.chains).toEqual([expect.objectContaining({issuer: 'tohoku-nw', last_seq: 1})])
    const report = JSON.parse(readFileSync(join(out, 'reports/audit.json'), 'utf8'))
    expect(report.findings.some((f: {rule: string}) => f.rule.startsWith('ledger/'))).toBe(true)
    const v = await verify(out)
    expect(v.stdout).toContain('reproduced')
    expect(v.code).toBe(0)
  })
})
