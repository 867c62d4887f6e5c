/**
 * The hand-off between the companies through the compiled CLI: retail records and exports signed lists, NW imports
 * and re-checks them with its own facts, acknowledgements go back; CI reads the signed files with inventory diff.
 * Real SQLite files, real Ed25519 keys.
 */
import {cp, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CliResult, runCli} from '../support/cli.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
let dir: string

/** The CLI in `dir`: in this process (test/support/cli.ts), or a child process `bin/run.js` when `child`. */
function cli(...args: string[]): Promise<CliResult> {
  return runCli(args, {cwd: dir, env: {...process.env, NO_COLOR: '1', LANG: 'C', FLEET_AUDIT_DB: ''}})
}

/** The same as a real process: the hand-off's first and last steps stay covered through bin/run.js. */
function cliChild(...args: string[]): Promise<CliResult> {
  return runCli(args, {cwd: dir, env: {...process.env, NO_COLOR: '1', LANG: 'C', FLEET_AUDIT_DB: ''}, child: true})
}

const retail = ['--db', 'retail.db', '-i', 'inv']
const nw = ['--db', 'nw.db', '-i', 'inv']

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fa-ledger-cli-'))
  await cp(join(ROOT, 'inventories', 'tohoku-example'), join(dir, 'inv'), {recursive: true})
  expect((await cliChild('ledger', 'keygen', 'keys/epco')).code).toBe(0)
  // The example inventory declares the public halves of its bundled key pairs (inv/keys/).
})

afterAll(async () => {
  if (dir) await rm(dir, {recursive: true, force: true})
})

describe('ledger hand-off through the CLI', () => {
  it('keygen keeps the private key private', async () => {
    expect((await stat(join(dir, 'keys', 'epco.key'))).mode & 0o777).toBe(0o600)
    const r = await cli('ledger', 'keygen', 'keys/epco')
    expect(r.code).toBe(2)
    expect(r.stdout + r.stderr).not.toContain('PRIVATE KEY')
  })

  it('records installs checked against the inventory; the approver may not be the actor', async () => {
    const base = ['--issuer', 'tohoku-epco', '--actor', 'ep-tanaka', '--now', '2026-11-27T10:00:00+09:00', ...retail]
    expect(
      (
        await cli(
          'ledger',
          'record',
          'install',
          '--terminal',
          'IS-RT-103',
          '--approver',
          'ep-takahashi',
          '--at',
          '2026-11-20T10:00:00+09:00',
          ...base,
        )
      ).code,
    ).toBe(0)
    expect(
      (
        await cli(
          'ledger',
          'record',
          'install',
          '--terminal',
          'IS-RT-101',
          '--approver',
          'ep-takahashi',
          '--at',
          '2026-11-21T10:00:00+09:00',
          ...base,
        )
      ).code,
    ).toBe(0)
    const same = await cli(
      'ledger',
      'record',
      'install',
      '--terminal',
      'IS-RT-102',
      '--approver',
      'ep-tanaka',
      '--at',
      '2026-11-21T10:00:00+09:00',
      ...base,
    )
    expect(same.code).toBe(2)
    const unknown = await cli(
      'ledger',
      'record',
      'install',
      '--terminal',
      'NOPE-1',
      '--approver',
      'ep-takahashi',
      ...base,
    )
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('NOPE-1')
  })

  it('exports a signed list that NW imports once; a second import changes nothing', async () => {
    const exp = await cli(
      'ledger',
      'export',
      '--from',
      'tohoku-epco',
      '--to',
      'tohoku-nw',
      '--key',
      'inv/keys/tohoku-epco.key',
      '-o',
      'h1.yaml',
      ...retail,
      '--now',
      '2026-11-27T10:00:00+09:00',
    )
    expect(exp.code, exp.stderr).toBe(0)
    expect(await readFile(join(dir, 'h1.yaml'), 'utf8')).toMatch(/first_seq: 1\nlast_seq: 2/)
    expect((await cli('ledger', 'import', 'h1.yaml', '--as', 'tohoku-nw', ...nw)).stdout).toContain(
      'imported: 2 events #1–#2 from tohoku-epco (2 new)',
    )
    expect((await cli('ledger', 'import', 'h1.yaml', '--as', 'tohoku-nw', ...nw)).stdout).toContain('unchanged')
  })

  it('refuses a hand-off to an unknown company or to its own side', async () => {
    const same = await cli(
      'ledger',
      'export',
      '--from',
      'tohoku-epco',
      '--to',
      'retail-temp',
      '--key',
      'inv/keys/tohoku-epco.key',
      '-o',
      'x.yaml',
      ...retail,
    )
    expect([same.code, same.stderr]).toEqual([
      2,
      expect.stringContaining('is on the same side (retail) as tohoku-epco'),
    ])
    const unknown = await cli(
      'ledger',
      'export',
      '--from',
      'tohoku-epco',
      '--to',
      'nobody',
      '--key',
      'inv/keys/tohoku-epco.key',
      '-o',
      'x.yaml',
      ...retail,
    )
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('--to: unknown company "nobody"')])
  })

  it('refuses an edited list, naming the record', async () => {
    const text = await readFile(join(dir, 'h1.yaml'), 'utf8')
    await writeFile(join(dir, 'h1-edited.yaml'), text.replace('role: retail', 'role: nw'))
    const r = await cli('ledger', 'import', 'h1-edited.yaml', '--as', 'tohoku-nw', ...nw)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/seq 1/)
  })

  it('NW re-checks with its own facts: the temp PC set to NW is rejected, the correct one verified', async () => {
    const r = await cli(
      'ledger',
      'recheck',
      '--as',
      'tohoku-nw',
      '--actor',
      'nw-sato',
      '--facts',
      'inv/facts',
      '--now',
      '2026-11-27',
      ...nw,
    )
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/verified +tohoku-epco#1 install IS-RT-103/)
    expect(r.stdout).toMatch(/rejected +tohoku-epco#2 install IS-RT-101/)
    expect(r.stdout).toContain('reconcile/role-mismatch')
  })

  it('acknowledgements go back and show each event state on the retail side; both ledgers verify', async () => {
    expect(
      (
        await cli(
          'ledger',
          'export',
          '--acks',
          '--from',
          'tohoku-nw',
          '--to',
          'tohoku-epco',
          '--key',
          'inv/keys/tohoku-nw.key',
          '-o',
          'a1.yaml',
          ...nw,
        )
      ).code,
    ).toBe(0)
    expect((await cli('ledger', 'import', 'a1.yaml', '--as', 'tohoku-epco', ...retail)).code).toBe(0)
    const list = await cli('ledger', 'list', '--db', 'retail.db', '-i', 'inv')
    expect(list.stdout).toMatch(/IS-RT-103 .* verified by tohoku-nw/)
    expect(list.stdout).toMatch(/IS-RT-101 .* rejected by tohoku-nw/)
    expect((await cli('ledger', 'verify', ...retail)).code).toBe(0)
    expect((await cliChild('ledger', 'verify', ...nw)).code).toBe(0)
  })

  it('audit --db runs the ledger rules and stores the run in history', async () => {
    const r = await cli('audit', '--facts', 'inv/facts', '--now', '2026-11-27', '--format', 'json', ...retail)
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    const rules = (id: string) =>
      result.findings.filter((f: {terminal: string}) => f.terminal === id).map((f: {rule: string}) => f.rule)
    expect(rules('IS-RT-101')).toContain('ledger/rejected-unresolved')
    expect(rules('IS-RT-102')).toContain('ledger/no-install-handoff')
    expect(rules('IS-RT-103')).toEqual([])
    expect(result.run_id).toBe(1)
    expect((await cli('history', ...retail)).stdout).toMatch(
      /^RUN +STARTED +FINDINGS +INVENTORY\n1 +2026-11-27 21:00:00\+09:00 /,
    )
  })

  it('inventory diff --ledger fails an install that no signed hand-off file records', async () => {
    await cp(join(dir, 'inv'), join(dir, 'inv2'), {recursive: true})
    const site = join(dir, 'inv2', 'sites', 'iwate-sanriku.yaml')
    await writeFile(
      site,
      (await readFile(site, 'utf8')).replace('role: retail, status: planned}', 'role: retail, status: active}'),
    )
    const r = await cli(
      'inventory',
      'diff',
      '--base',
      'inv',
      '-i',
      'inv2',
      '--ledger',
      'h1.yaml',
      '--now',
      '2026-11-27',
      '--json',
    )
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    expect(result.changes).toEqual([expect.objectContaining({terminal: 'IS-RT-104', kind: 'install'})])
    expect(
      result.validation.findings.map((f: {rule: string; terminal: string}) => `${f.rule} ${f.terminal}`),
    ).toContain('ledger/change-without-event IS-RT-104')
  })

  it('a removal is re-checked too: pending without facts, verified once NW sees the terminal no longer answers', async () => {
    const rec = await cli(
      'ledger',
      'record',
      'remove',
      '--terminal',
      'HC-NW-003',
      '--issuer',
      'tohoku-epco',
      '--actor',
      'ep-tanaka',
      '--approver',
      'ep-takahashi',
      '--at',
      '2026-11-22T10:00:00+09:00',
      '--now',
      '2026-11-27T10:00:00+09:00',
      ...retail,
    )
    expect(rec.code, rec.stderr).toBe(0)
    expect(
      (
        await cli(
          'ledger',
          'export',
          '--from',
          'tohoku-epco',
          '--to',
          'tohoku-nw',
          '--key',
          'inv/keys/tohoku-epco.key',
          '-o',
          'h2.yaml',
          ...retail,
        )
      ).code,
    ).toBe(0)
    expect((await cli('ledger', 'import', 'h2.yaml', '--as', 'tohoku-nw', ...nw)).stdout).toContain(
      'imported: 1 events #3–#3',
    )
    const pending = await cli(
      'ledger',
      'recheck',
      '--as',
      'tohoku-nw',
      '--facts',
      'inv/facts',
      '--now',
      '2026-11-27',
      ...nw,
    )
    expect(pending.code).toBe(1)
    expect(pending.stdout).toMatch(/pending +tohoku-epco#3 remove HC-NW-003: no facts of your own .*--include-removed/)
    await cp(join(dir, 'inv', 'facts'), join(dir, 'nw-facts'), {recursive: true})
    const refused = {
      terminal: 'HC-NW-003',
      collected_at: '2026-11-26T09:00:00+09:00',
      outcome: 'refused',
      error: {reason: 'connection refused'},
    }
    await writeFile(join(dir, 'nw-facts', 'HC-NW-003.json'), JSON.stringify(refused))
    const verified = await cli(
      'ledger',
      'recheck',
      '--as',
      'tohoku-nw',
      '--facts',
      'nw-facts',
      '--now',
      '2026-11-27',
      ...nw,
    )
    expect(verified.code, verified.stdout).toBe(0)
    expect(verified.stdout).toMatch(/verified +tohoku-epco#3 remove HC-NW-003/)
  })
})
