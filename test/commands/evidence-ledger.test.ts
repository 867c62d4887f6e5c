/**
 * Evidence from a two-company ledger database, through the compiled CLI on real SQLite files: the retail company's
 * bundle carries the lists NW signed (rebuilt from what its database kept on import), and `evidence verify` takes
 * NW's acknowledgements only from them, with NW's key as the verifier trusts it. Then a retail signer who forges
 * NW's word, or ships reports that say something the re-run does not, re-signing with its valid key each time.
 */
import {createHash, sign} from 'node:crypto'
import {cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {hashEvent} from '../../src/ledger/hash.js'
import {sqlite} from './ledger/support.js'
import {
  KEYS as keys,
  NW_FP as nwFp,
  ok,
  RETAIL_FP as retailFp,
  retailInstallsRecheckedByNw,
  nwAcksBack,
} from './evidence-support.js'
import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, run, tempDir} from './helpers.js'

const tmp = tempDir('fa-evidence-ledger-')
const at = (name: string) => join(tmp.dir, name)

/** What a dishonest signer does after editing its bundle: new hashes in the manifest, signed with its real key. */
function resign(bundle: string, keyFile: string, fingerprint: string): void {
  const m = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'))
  for (const f of m.files) {
    const bytes = readFileSync(join(bundle, f.path))
    f.sha256 = createHash('sha256').update(bytes).digest('hex')
    f.size = bytes.length
  }

  const text = `${JSON.stringify(m, null, 2)}\n`
  writeFileSync(join(bundle, 'manifest.json'), text)
  const value = sign(null, Buffer.from(text), readFileSync(keyFile, 'utf8')).toString('base64')
  writeFileSync(join(bundle, 'manifest.sig'), JSON.stringify({algorithm: 'ed25519', key: fingerprint, value}))
}

/** A copy of the honest bundle, edited by `edit` and re-signed by retail. */
function forged(name: string, edit: (dir: string) => void): string {
  const dir = at(name)
  cpSync(at('honest'), dir, {recursive: true})
  edit(dir)
  resign(dir, join(keys, 'tohoku-epco.key'), retailFp)
  return dir
}

function replaceIn(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8')
  const changed = text.replace(from, to)
  expect(changed, `${file} should contain ${from}`).not.toBe(text)
  writeFileSync(file, changed)
}

const verify = (bundle: string, ...trust: string[]) =>
  run(['evidence', 'verify', bundle, ...(trust.length ? trust : ['--trust-inventory', EXAMPLE])], {timeout: 60_000})

beforeAll(async () => {
  // Retail's two installs, handed to NW and re-checked there (IS-RT-101 rejected): evidence-support.ts.
  const {retail, nw} = await retailInstallsRecheckedByNw(at)
  // NW records an install of its own, and sends both back.
  await ok([
    'ledger',
    'record',
    'install',
    ...nw,
    '--terminal',
    'HC-NW-001',
    '--issuer',
    'tohoku-nw',
    '--actor',
    'nw-sato',
    '--approver',
    'nw-suzuki',
    '--at',
    '2026-11-22T10:00+09:00',
  ])
  await nwAcksBack(nw, at)
  await ok([
    'ledger',
    'export',
    ...nw,
    '--from',
    'tohoku-nw',
    '--to',
    'tohoku-epco',
    '--key',
    join(keys, 'tohoku-nw.key'),
    '-o',
    at('nw-events.yaml'),
  ])
  await ok(['ledger', 'import', at('nw-events.yaml'), ...retail, '--as', 'tohoku-epco'])
  await ok(['ledger', 'import', at('acks.yaml'), ...retail, '--as', 'tohoku-epco'])
  const c = await run(
    [
      'evidence',
      'create',
      '-i',
      EXAMPLE,
      '--facts',
      EXAMPLE_FACTS,
      '--db',
      at('retail.sqlite'),
      '--key',
      join(keys, 'tohoku-epco.key'),
      '-o',
      at('honest'),
      '--now',
      EXAMPLE_NOW,
    ],
    {timeout: 60_000},
  )
  expect(c.stderr).toBe('')
  expect(c.code).toBe(0)
}, 240_000)

afterAll(() => tmp.remove())

describe('evidence from a two-company ledger database', () => {
  it("carries the lists NW signed, and the reports show NW's acknowledgements as NW signed them", () => {
    const signed = readdirSync(at('honest/ledger/signed')).sort()
    expect(signed).toEqual(
      [
        expect.stringMatching(/^\d{4}-events-tohoku-nw-1-1\.yaml$/),
        expect.stringMatching(/^\d{4}-acks-tohoku-nw-1-2\.yaml$/),
      ].sort(),
    )
    const heads = JSON.parse(readFileSync(at('honest/ledger/heads.json'), 'utf8'))
    expect(heads.signed_lists.map((l: {issuer: string; key: string}) => [l.issuer, l.key])).toEqual([
      ['tohoku-nw', nwFp],
      ['tohoku-nw', nwFp],
    ])
    // NW's receipt: the head of retail's events it signed having seen.
    expect(heads.signed_heads).toContainEqual(
      expect.objectContaining({signer: 'tohoku-nw', chain: 'events', company: 'tohoku-epco', seq: 2}),
    )
    const findings = JSON.parse(readFileSync(at('honest/reports/audit.json'), 'utf8')).findings
    expect(
      findings.filter((f: {terminal: string}) => f.terminal === 'IS-RT-101').map((f: {rule: string}) => f.rule),
    ).toContain('ledger/rejected-unresolved')
  })

  it("an honest bundle verifies with the trusted inventory, or with both companies' keys pinned (exit 0)", async () => {
    const a = await verify(at('honest'))
    expect(a.stderr).toBe('')
    expect(a.stdout).toMatch(/OK {2}\d+ files, signature, \d+ findings and every report reproduced/)
    expect(a.stdout).toContain(
      'ledger: 2 list(s) signed by tohoku-nw checked with its trusted key; its word as of 2026-11-27T12:00:00.000Z',
    )
    expect(a.code).toBe(0)
    const b = await verify(at('honest'), '--trust-key', retailFp, '--trust-key', nwFp)
    expect(b.code).toBe(0)
  })

  it("with only the signer's key pinned, NW's lists are unverifiable: named, and its acks not shown (exit 1)", async () => {
    const r = await verify(at('honest'), '--trust-key', retailFp)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /FAIL {2}ledger\/signed\/\d{4}-acks-tohoku-nw-1-2\.yaml: signed by tohoku-nw, whose public key no trust anchor gives/,
    )
    expect(r.stdout).toContain(
      'ledger/events.json: tohoku-epco#2 (install IS-RT-101) says "rejected" by tohoku-nw (ack #2), but no list tohoku-nw signed in the bundle says so: the signed lists say not acknowledged',
    )
  })

  it("refuses to sign a bundle over a ledger edited behind the library's back (exit 2)", async () => {
    cpSync(at('retail.sqlite'), at('edited.sqlite'))
    sqlite(at('edited.sqlite'), "DROP TRIGGER acks_no_update; UPDATE acks SET state = 'verified' WHERE seq = 2;")
    const r = await run(
      [
        'evidence',
        'create',
        '-i',
        EXAMPLE,
        '--facts',
        EXAMPLE_FACTS,
        '--db',
        at('edited.sqlite'),
        '--key',
        join(keys, 'tohoku-epco.key'),
        '-o',
        at('from-edited'),
      ],
      {timeout: 60_000},
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('ledger does not verify')
    expect(r.stderr).not.toMatch(/ {4}at /)
  })
})

describe('evidence verify: a retail signer cannot vouch for NW', () => {
  it('names a forged NW acknowledgement state in the ledger snapshot (exit 1)', async () => {
    const b = forged('forged-ack', (dir) => {
      const file = join(dir, 'ledger/events.json')
      const events = JSON.parse(readFileSync(file, 'utf8'))
      const target = events.find((e: {issuer: string; seq: number}) => e.issuer === 'tohoku-epco' && e.seq === 2)
      expect(target.ack.state).toBe('rejected')
      target.ack.state = 'verified'
      writeFileSync(file, `${JSON.stringify(events, null, 2)}\n`)
    })
    const r = await verify(b)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      'FAIL  ledger/events.json: tohoku-epco#2 (install IS-RT-101) says "verified" by tohoku-nw (ack #2), but no list tohoku-nw signed in the bundle says so: the signed lists say "rejected" by tohoku-nw (ack #2)',
    )
    // The re-run shows what NW signed: the rejection still stands in its findings, which match the bundle's.
    expect(r.stdout).not.toContain('re-run no longer finds')
  })

  it('names an NW acknowledgement claimed with no NW-signed list behind it (exit 1)', async () => {
    const b = forged('no-list', (dir) => {
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
      m.run.ledger.signed = m.run.ledger.signed.filter((p: string) => !p.includes('-acks-'))
      m.files = m.files.filter((f: {path: string}) => !f.path.includes('-acks-'))
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2))
      for (const n of readdirSync(join(dir, 'ledger/signed')))
        if (n.includes('-acks-')) rmSync(join(dir, 'ledger/signed', n))
    })
    const r = await verify(b, '--trust-inventory', EXAMPLE, '--json')
    expect(r.code).toBe(1)
    const problems = JSON.parse(r.stdout).problems as {kind: string; path?: string; message: string}[]
    const notBacked = problems.filter((p) => p.kind === 'not-backed')
    expect(notBacked.map((p) => p.message)).toContain(
      'ledger/events.json: tohoku-epco#1 (install IS-RT-103) says "verified" by tohoku-nw (ack #1), but no list tohoku-nw signed in the bundle says so: the signed lists say not acknowledged',
    )
    // Shown as not acknowledged (fail closed): the re-run finds the install overdue rather than verified.
    expect(problems.map((p) => p.message)).toContain(
      're-run finds in addition: IS-RT-103 ledger/ack-overdue inputs/inventory/sites/iwate-sanriku.yaml:16',
    )
  })

  it("names NW's acks list left out with the claims it backed: NW's signed head says how far its acks reach (exit 1)", async () => {
    const b = forged('dropped-list', (dir) => {
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
      m.run.ledger.signed = m.run.ledger.signed.filter((p: string) => !p.includes('-acks-'))
      m.files = m.files.filter((f: {path: string}) => !f.path.includes('-acks-'))
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2))
      for (const n of readdirSync(join(dir, 'ledger/signed')))
        if (n.includes('-acks-')) rmSync(join(dir, 'ledger/signed', n))
      // The claims go too, so nothing in events.json says an ack that no list backs.
      const file = join(dir, 'ledger/events.json')
      const events = JSON.parse(readFileSync(file, 'utf8'))
      for (const e of events.events ?? events) if (e.issuer === 'tohoku-epco') e.ack = null
      writeFileSync(file, JSON.stringify(events, null, 2))
    })
    const r = await verify(b, '--trust-inventory', EXAMPLE)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /tohoku-nw signed on \S+ that its acknowledgements of tohoku-epco's events reach #2, but the bundle carries its signed lists only up to #0: a list tohoku-nw signed was left out/,
    )
  })

  it('names a retail event doubled in the ledger snapshot (exit 1)', async () => {
    const b = forged('doubled-event', (dir) => {
      const file = join(dir, 'ledger/events.json')
      const doc = JSON.parse(readFileSync(file, 'utf8'))
      const list = Array.isArray(doc) ? doc : doc.events
      list.push({...list.find((e: {issuer: string; seq: number}) => e.issuer === 'tohoku-epco' && e.seq === 1)})
      writeFileSync(file, JSON.stringify(doc, null, 2))
    })
    const r = await verify(b, '--trust-inventory', EXAMPLE)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('ledger/events.json: tohoku-epco#1 appears more than once')
  })

  it("with --trust-key, the signer cannot give its own key to NW in the bundle's inventory (exit 1)", async () => {
    const retailPub = readFileSync(join(keys, 'tohoku-epco.pub'), 'utf8').trim().split('\n')[1]
    const b = forged('shared-key', (dir) => {
      const inv = readdirSync(join(dir, 'inputs/inventory'), {recursive: true, encoding: 'utf8'})
        .map((n) => join(dir, 'inputs/inventory', n))
        .find((f) => f.endsWith('fleet.yaml'))!
      replaceIn(inv, 'MCowBQYDK2VwAyEAoCdtoxfm0dtfP/XdQ9//VMTM7lP5/mrwzJa9mDsG3Zk=', retailPub)
    })
    const r = await verify(b, '--trust-key', retailFp, '--trust-key', nwFp)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      `the bundle's inventory gives "tohoku-nw" and "tohoku-epco" the same public_key (${retailFp}): one key cannot stand for two companies`,
    )
    expect(r.stdout).not.toMatch(/^OK/m)
  })

  it('names an NW-signed list altered to say "verified" (exit 1)', async () => {
    let list = ''
    const b = forged('altered-list', (dir) => {
      list = readdirSync(join(dir, 'ledger/signed')).find((n) => n.includes('-acks-'))!
      replaceIn(join(dir, 'ledger/signed', list), 'state: rejected', 'state: verified')
    })
    const r = await verify(b)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      new RegExp(
        `FAIL {2}ledger/signed/${list}: does not verify: line \\d+: signature does not match: seq 2 was altered`,
      ),
    )
  })

  it("names a retail event rewritten after the hand-off, edited or re-hashed: NW's ack and receipt pin it (exit 1)", async () => {
    const rewrite = (rehash: boolean) => (dir: string) => {
      const file = join(dir, 'ledger/events.json')
      const events = JSON.parse(readFileSync(file, 'utf8'))
      const target = events.find((e: {issuer: string; seq: number}) => e.issuer === 'tohoku-epco' && e.seq === 2)
      target.zone = 'is-nw-office'
      if (rehash) {
        const {handed_off: _h, ack: _a, hash: _x, ...body} = target
        target.hash = hashEvent(body)
      }

      writeFileSync(file, `${JSON.stringify(events, null, 2)}\n`)
    }

    const edited = await verify(forged('edited-event', rewrite(false)))
    expect(edited.code).toBe(1)
    expect(edited.stdout).toContain('FAIL  ledger/events.json: tohoku-epco#2 does not hash to its hash (edited)')
    const rehashed = await verify(forged('rehashed-event', rewrite(true)))
    expect(rehashed.code).toBe(1)
    expect(rehashed.stdout).toContain(
      'FAIL  ledger/events.json: tohoku-epco#2 is not the event tohoku-nw acknowledged in ack #2 (its hash differs: edited after the hand-off)',
    )
    expect(rehashed.stdout).toMatch(
      /FAIL {2}ledger\/events\.json: tohoku-nw signed on \S+ that it had seen tohoku-epco's events up to #2, but the bundle's #2 is another record/,
    )
  })
})

describe('evidence verify: every report is rendered again from the re-run and compared', () => {
  it('names an HTML page altered to disagree with the findings, re-signed with the valid key (exit 1)', async () => {
    const b = forged('altered-html', (dir) =>
      replaceIn(
        join(dir, 'reports/audit.html'),
        /"rule":"ledger\/rejected-unresolved","severity":"high"/,
        '"rule":"ledger/rejected-unresolved","severity":"info"',
      ),
    )
    const r = await verify(b)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /FAIL {2}reports\/audit\.html: not the report the re-run renders: findings\[\d+\]\.severity \(terminal IS-RT-101, rule ledger\/rejected-unresolved\): the bundle has "info", the re-run "high"/,
    )
    expect(r.stdout).not.toContain('reports/audit.json')
  })

  it('names an altered SARIF log (exit 1)', async () => {
    const b = forged('altered-sarif', (dir) =>
      replaceIn(
        join(dir, 'reports/audit.sarif'),
        /("ruleId": "ledger\/rejected-unresolved",\n\s+"ruleIndex": \d+,\n\s+"level": )"error"/,
        '$1"note"',
      ),
    )
    const r = await verify(b)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /FAIL {2}reports\/audit\.sarif: not the report the re-run renders: runs\[0\]\.results\[\d+\]\.level \(terminal IS-RT-101, rule ledger\/rejected-unresolved\)/,
    )
  })

  it('names a JSON report whose summary was altered though its findings were not (exit 1)', async () => {
    const b = forged('altered-summary', (dir) =>
      replaceIn(join(dir, 'reports/audit.json'), /"failing": \d+/, '"failing": 0'),
    )
    const r = await verify(b)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /FAIL {2}reports\/audit\.json: not the report the re-run renders: summary\.failing: the bundle has 0, the re-run \d+/,
    )
    expect(r.stdout).not.toContain('re-run no longer finds')
  })

  it('renders the same bytes whatever the locale and time zone of the machine (made in Danish, verified in C)', async () => {
    // In Danish collation "aa" sorts after "z": a file order taken from the locale would change the reports.
    cpSync(EXAMPLE, at('inv-da'), {recursive: true})
    renameSync(at('inv-da/sites/hachinohe.yaml'), at('inv-da/sites/aa-hachinohe.yaml'))
    const env = {LANG: 'da_DK.UTF-8', LC_ALL: 'da_DK.UTF-8', TZ: 'America/Los_Angeles'}
    const c = await run(
      [
        'evidence',
        'create',
        '-i',
        at('inv-da'),
        '--facts',
        EXAMPLE_FACTS,
        '--key',
        join(keys, 'tohoku-epco.key'),
        '-o',
        at('danish'),
        '--now',
        EXAMPLE_NOW,
      ],
      {env, timeout: 60_000},
    )
    expect(c.code).toBe(0)
    const files = JSON.parse(readFileSync(at('danish/reports/audit.json'), 'utf8')).inventory.files as string[]
    expect(files.indexOf('inputs/inventory/sites/aa-hachinohe.yaml')).toBeLessThan(
      files.indexOf('inputs/inventory/sites/customer-center.yaml'),
    )
    const r = await verify(at('danish'), '--trust-inventory', at('inv-da'))
    expect(r.stdout).toContain('reproduced')
    expect(r.code).toBe(0)
  })
})
