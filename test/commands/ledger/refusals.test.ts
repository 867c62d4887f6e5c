/**
 * Hostile or mistaken input to the ledger commands, through the real CLI on real files: a contractor on retail's
 * side acknowledging retail's events, a private key in the inventory, signing with the wrong key, importing into the
 * wrong company's ledger, several files of which one is bad, an unreachable terminal at re-check, an export that
 * cannot be written or has nothing new.
 */
import {cpSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {retailInstallArgs} from '../helpers.js'
import {parse} from 'yaml'

import {generateKeyPair, keyFingerprint, readPrivateKey, readPublicKey} from '../../../src/ledger/keys.js'
import {exportAcks, importHandoff, openLedger, recordAck} from '../../../src/ledger/index.js'
import {loadInventory} from '../../../src/inventory/load.js'
import {runCli} from '../../support/cli.js'
import {ledgerCli, tempDir} from './support.js'

const ROOT = resolve(import.meta.dirname, '..', '..', '..')
const T = 300_000
let dir: string
let cleanup: () => void

const cli = (...args: string[]) => ledgerCli(dir, ...args)

const RETAIL_KEY = 'inv/keys/tohoku-epco.key'
const install = (db: string, terminal: string, at: string) => cli(...retailInstallArgs(['--db', db], terminal, at))
const exportRetail = (db: string, out: string, ...more: string[]) =>
  cli(
    'ledger',
    'export',
    '--db',
    db,
    '--from',
    'tohoku-epco',
    '--to',
    'tohoku-nw',
    '--key',
    RETAIL_KEY,
    '-o',
    out,
    ...more,
  )

/** Appends a public_key to a company of the copied inventory. */
function giveKey(company: string, pem: string): void {
  const file = join(dir, 'inv', 'fleet.yaml')
  const text = readFileSync(file, 'utf8')
  const block = `    public_key: |\n${pem
    .trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n')}\n`
  writeFileSync(
    file,
    text
      .replace(`  - id: ${company}\n`, `  - id: ${company}\n`)
      .replace(new RegExp(`(  - id: ${company}\\n    name: [^\\n]*\\n    side: [a-z]+\\n)`), `$1${block}`),
  )
}

beforeAll(async () => {
  ;({dir, cleanup} = tempDir())
  cpSync(join(ROOT, 'inventories', 'tohoku-example'), join(dir, 'inv'), {recursive: true})
  expect((await install('retail.sqlite', 'IS-RT-103', '2026-11-20T10:00+09:00')).code).toBe(0)
  expect((await exportRetail('retail.sqlite', 'h1.yaml')).code).toBe(0)
}, T)
afterAll(() => cleanup?.())

describe('only the other side of the barrier acknowledges (item 1)', () => {
  it(
    "acks signed by a retail-side contractor for retail's event are refused on import, naming both companies and sides",
    async () => {
      const contractor = generateKeyPair()
      giveKey('retail-contractor-b', contractor.publicKeyPem)
      const inventory = await loadInventory(join(dir, 'inv'))
      // The contractor builds its own ledger with the library (the CLI would refuse it at every step) and signs acks.
      const db = openLedger(join(dir, 'contractor.sqlite'))
      importHandoff(
        db,
        readFileSync(join(dir, 'h1.yaml'), 'utf8'),
        readFileSync(join(dir, 'inv/keys/tohoku-epco.pub'), 'utf8'),
        {
          now: new Date('2026-11-27T03:00:00Z'),
          companies: [
            {id: 'tohoku-epco', side: 'retail'},
            {id: 'tohoku-nw', side: 'nw'},
          ],
        },
      )
      const event = db.prepare('SELECT seq, hash FROM events').get() as {seq: number; hash: string}
      expect(() =>
        recordAck(
          db,
          inventory,
          {acker: 'retail-contractor-b', event: {issuer: 'tohoku-epco', ...event}, findings: []},
          new Date('2026-11-27T03:00:00Z'),
        ),
      ).toThrow(
        /retail-contractor-b \(retail\) cannot acknowledge tohoku-epco#1: tohoku-epco is on the same side \(retail\)/,
      )
      db.exec('DROP TRIGGER IF EXISTS acks_chain')
      const {hashAck} = await import('../../../src/ledger/hash.js')
      const body = {
        acker: 'retail-contractor-b',
        issuer: 'tohoku-epco',
        seq: 1,
        event_seq: 1,
        event_hash: event.hash,
        state: 'verified' as const,
        evidence: [],
        actor: null,
        checked_at: '2026-11-27T03:00:00.000Z',
        recorded_at: '2026-11-27T03:00:00.000Z',
        note: null,
        prev_hash: null,
      }
      db.prepare(
        `INSERT INTO acks (acker, issuer, seq, event_seq, event_hash, state, evidence, checked_at, recorded_at, hash) VALUES (?, ?, 1, 1, ?, 'verified', '[]', ?, ?, ?)`,
      ).run(body.acker, body.issuer, body.event_hash, body.checked_at, body.recorded_at, hashAck(body))
      writeFileSync(
        join(dir, 'ctr-acks.yaml'),
        exportAcks(db, {
          from: 'retail-contractor-b',
          to: 'tohoku-epco',
          privateKeyPem: contractor.privateKeyPem,
          publicKeyPem: contractor.publicKeyPem,
          now: new Date('2026-11-27T03:00:00Z'),
        }).text,
      )
      db.close()

      const r = await cli('ledger', 'import', 'ctr-acks.yaml', '--db', 'retail.sqlite')
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(
        'retail-contractor-b (retail) and tohoku-epco (retail) are on the same side of the barrier',
      )
      expect((await cli('ledger', 'list', '--db', 'retail.sqlite')).stdout).not.toContain('verified by')
      writeFileSync(join(dir, 'ctr.key'), contractor.privateKeyPem)
      const acks = await cli(
        'ledger',
        'export',
        '--acks',
        '--db',
        'contractor.sqlite',
        '--from',
        'retail-contractor-b',
        '--to',
        'tohoku-epco',
        '--key',
        'ctr.key',
      )
      expect([acks.code, acks.stderr]).toEqual([
        2,
        expect.stringContaining('tohoku-epco is on the same side (retail) as retail-contractor-b'),
      ])
    },
    T,
  )

  it(
    "recheck --as a company on the issuer's side is refused",
    async () => {
      expect((await cli('ledger', 'import', 'h1.yaml', '--db', 'same-side.sqlite', '--as', 'tohoku-nw')).code).toBe(0)
      const r = await cli(
        'ledger',
        'recheck',
        '--db',
        'same-side.sqlite',
        '--as',
        'retail-temp',
        '--facts',
        'inv/facts',
      )
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/this ledger belongs to tohoku-nw|retail-temp \(retail\) cannot acknowledge/)
    },
    T,
  )
})

describe('keys (item 5)', () => {
  it(
    "a private key as a company's public_key is exit 2 at its line and column, and is not echoed",
    async () => {
      const file = join(dir, 'inv', 'fleet.yaml')
      const original = readFileSync(file, 'utf8')
      const pem = generateKeyPair().privateKeyPem
      writeFileSync(
        file,
        original.replace(
          /( {2}- id: retail-temp\n {4}name: [^\n]*\n {4}side: retail\n)/,
          `$1    public_key: |\n${pem
            .trim()
            .split('\n')
            .map((l) => `      ${l}`)
            .join('\n')}\n`,
        ),
      )
      try {
        const r = await cli('inventory', 'validate', '-i', 'inv')
        expect(r.code).toBe(2)
        const at =
          readFileSync(file, 'utf8')
            .split('\n')
            .indexOf(
              '    public_key: |',
              readFileSync(file, 'utf8')
                .split('\n')
                .findIndex((l) => l === '  - id: retail-temp'),
            ) + 1
        expect(r.stderr).toMatch(
          new RegExp(`fleet\\.yaml:${at}:\\d+ companies\\[\\d+\\]\\.public_key: this is a private key`),
        )
        expect(r.stdout + r.stderr).not.toContain(pem.split('\n')[1])
      } finally {
        writeFileSync(file, original)
      }
    },
    T,
  )

  it(
    "export refuses a key whose public half is not the --from company's public_key, naming both fingerprints, and marks nothing as sent",
    async () => {
      const other = generateKeyPair()
      writeFileSync(join(dir, 'other.key'), other.privateKeyPem)
      expect((await install('wrongkey.sqlite', 'IS-RT-103', '2026-11-20T10:00+09:00')).code).toBe(0)
      const r = await cli(
        'ledger',
        'export',
        '--db',
        'wrongkey.sqlite',
        '--from',
        'tohoku-epco',
        '--to',
        'tohoku-nw',
        '--key',
        'other.key',
        '-o',
        'wrong.yaml',
      )
      expect(r.code).toBe(2)
      const declared = keyFingerprint(readPublicKey(readFileSync(join(dir, 'inv/keys/tohoku-epco.pub'), 'utf8')))
      expect(r.stderr).toContain(
        `its public half is ${keyFingerprint(readPrivateKey(other.privateKeyPem))}, tohoku-epco's public_key in the inventory is ${declared}`,
      )
      expect(existsSync(join(dir, 'wrong.yaml'))).toBe(false)
      expect((await exportRetail('wrongkey.sqlite', 'right.yaml')).code).toBe(0)
      expect(parse(readFileSync(join(dir, 'right.yaml'), 'utf8'))).toMatchObject({first_seq: 1, last_seq: 1})
    },
    T,
  )
})

describe('whose database, and all or nothing (item 6)', () => {
  it(
    "import without --as refuses a list addressed to another company than the database's owner",
    async () => {
      const r = await cli('ledger', 'import', 'h1.yaml', '--db', 'retail.sqlite')
      expect(r.code).toBe(2)
      expect(r.stderr).toContain("the list is addressed to tohoku-nw, but this ledger is tohoku-epco's")
      const fresh = await cli('ledger', 'import', 'h1.yaml', '--db', 'fresh.sqlite')
      expect([fresh.code, fresh.stderr]).toEqual([2, expect.stringContaining('say who you are with --as')])
      expect((await cli('ledger', 'list', '--db', 'retail.sqlite')).stdout).toMatch(
        /ledger retail\.sqlite \(tohoku-epco's\)/,
      )
    },
    T,
  )

  it(
    'several files: one bad file imports nothing',
    async () => {
      expect((await install('retail.sqlite', 'IS-RT-101', '2026-11-21T10:00+09:00')).code).toBe(0)
      expect((await exportRetail('retail.sqlite', 'h2.yaml')).code).toBe(0)
      writeFileSync(
        join(dir, 'h2-bad.yaml'),
        readFileSync(join(dir, 'h2.yaml'), 'utf8').replace('role: retail', 'role: nw'),
      )
      const r = await cli(
        'ledger',
        'import',
        'h1.yaml',
        'h2-bad.yaml',
        '--db',
        'all-or-none.sqlite',
        '--as',
        'tohoku-nw',
      )
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('nothing was imported (all files or none)')
      // Nothing was imported, and the database the refused import would have created is not left behind.
      expect(existsSync(join(dir, 'all-or-none.sqlite'))).toBe(false)
      expect(existsSync(join(dir, 'all-or-none.sqlite-wal'))).toBe(false)
      expect(
        (await cli('ledger', 'import', 'h1.yaml', 'h2.yaml', '--db', 'all-or-none.sqlite', '--as', 'tohoku-nw')).code,
      ).toBe(0)
    },
    T,
  )
})

describe('re-check (item 10)', () => {
  it(
    'an unreachable terminal leaves the event pending with the reason; a later recheck retries; --event re-checks again and supersedes',
    async () => {
      expect((await cli('ledger', 'import', 'h1.yaml', '--db', 'nw.sqlite', '--as', 'tohoku-nw')).code).toBe(0)
      cpSync(join(dir, 'inv', 'facts'), join(dir, 'refused'), {recursive: true})
      writeFileSync(
        join(dir, 'refused', 'IS-RT-103.json'),
        JSON.stringify({
          terminal: 'IS-RT-103',
          collected_at: '2026-11-26T10:00:00+09:00',
          outcome: 'refused',
          error: {reason: 'connection refused'},
        }),
      )
      const pending = await cli('ledger', 'recheck', '--db', 'nw.sqlite', '--as', 'tohoku-nw', '--facts', 'refused')
      expect(pending.code).toBe(1)
      expect(pending.stdout).toMatch(
        /pending +tohoku-epco#1 install IS-RT-103: could not check the terminal \(refused: connection refused/,
      )
      expect((await cli('ledger', 'list', '--db', 'nw.sqlite')).stdout).toMatch(/IS-RT-103 .* imported, unacknowledged/)
      const verified = await cli('ledger', 'recheck', '--db', 'nw.sqlite', '--as', 'tohoku-nw', '--facts', 'inv/facts')
      expect([verified.code, verified.stdout]).toEqual([
        0,
        expect.stringMatching(/verified +tohoku-epco#1 install IS-RT-103/),
      ])
      // The terminal was re-set to NW after the verdict: re-check that one event again; the new ack supersedes.
      cpSync(join(dir, 'inv', 'facts'), join(dir, 'later'), {recursive: true})
      const doc = JSON.parse(readFileSync(join(dir, 'later', 'IS-RT-103.json'), 'utf8'))
      writeFileSync(join(dir, 'later', 'IS-RT-103.json'), JSON.stringify({...doc, client: {...doc.client, role: 'nw'}}))
      const again = await cli(
        'ledger',
        'recheck',
        '--db',
        'nw.sqlite',
        '--as',
        'tohoku-nw',
        '--facts',
        'later',
        '--event',
        'tohoku-epco#1',
      )
      expect(again.code).toBe(1)
      expect(again.stdout).toMatch(/rejected +tohoku-epco#1 install IS-RT-103 \(supersedes your ack #1\)/)
      expect((await cli('ledger', 'list', '--db', 'nw.sqlite')).stdout).toMatch(
        /IS-RT-103 .* rejected by tohoku-nw \(ack #2\)/,
      )
      const audit = await cli('audit', '--db', 'nw.sqlite', '--facts', 'inv/facts', '--format', 'json')
      const findings = JSON.parse(audit.stdout).findings as {rule: string; terminal: string}[]
      expect(findings).toContainEqual(
        expect.objectContaining({rule: 'ledger/rejected-unresolved', terminal: 'IS-RT-103'}),
      )
      expect(
        (
          await cli(
            'ledger',
            'recheck',
            '--db',
            'nw.sqlite',
            '--as',
            'tohoku-nw',
            '--facts',
            'inv/facts',
            '--event',
            'tohoku-epco#9',
          )
        ).code,
      ).toBe(2)
    },
    T,
  )
})

describe('export messages (issue 9 item 14)', () => {
  it(
    'a list that cannot be written is not counted as sent; nothing new writes nothing and says how to re-send',
    async () => {
      expect((await install('msg.sqlite', 'IS-RT-103', '2026-11-20T10:00+09:00')).code).toBe(0)
      const failed = await exportRetail('msg.sqlite', 'no-such-folder/h.yaml')
      expect(failed.code).toBe(2)
      const sent = await exportRetail('msg.sqlite', 'm1.yaml')
      expect(sent.code).toBe(0)
      expect(parse(readFileSync(join(dir, 'm1.yaml'), 'utf8'))).toMatchObject({first_seq: 1, last_seq: 1})
      expect(sent.stderr).toContain(
        'if this list does not reach tohoku-nw, re-send it with ledger export --from tohoku-epco --to tohoku-nw --since 1',
      )
      const nothing = await exportRetail('msg.sqlite', 'm2.yaml')
      expect(nothing.code).toBe(0)
      expect(existsSync(join(dir, 'm2.yaml'))).toBe(false)
      expect(nothing.stderr).toMatch(/nothing new to send to tohoku-nw since #1 \(sent .*\): no list written/)
      expect(nothing.stderr).toContain('--since 1')
    },
    T,
  )
})

describe('the README walkthrough runs as written (issue 9 item 9)', () => {
  it(
    'extracts the exact commands from the README and runs them top to bottom on the bundled example',
    async () => {
      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
      const block = readme.split('<!-- ledger-walkthrough -->')[1].split('```sh\n')[1].split('```')[0]
      const lines = block.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))
      expect(
        lines.filter((l) => l.startsWith('fleet-audit ')).every((l) => l.includes('--db ') || l.includes(' keygen ')),
      ).toBe(true)
      const walk = join(dir, 'walk')
      cpSync(join(ROOT, 'inventories', 'tohoku-example'), join(walk, 'inventories', 'tohoku-example'), {
        recursive: true,
      })
      // The block is run line by line as a shell would (`export`, then each command with 2>&1), without a shell: a
      // line that needs one (quotes, variables, pipes, redirections) fails here, so the README stays copy-pasteable.
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NO_COLOR: '1',
        LANG: 'C',
        FLEET_AUDIT_DB: '',
        FLEET_AUDIT_INVENTORY: '',
      }
      let stdout = ''
      for (const line of lines) {
        const words = line
          .replace(/\s+#.*$/, '')
          .trim()
          .split(/\s+/)
        const plain = words.every((w) => /^[\w./:+@=,#-]+$/.test(w))
        expect(plain, `README walkthrough line needs a shell: ${line}`).toBe(true)
        if (words[0] === 'export' && words.length === 2 && /^\w+=/.test(words[1])) {
          const [name, ...value] = words[1].split('=')
          env[name] = value.join('=')
          continue
        }

        expect(words[0], `README walkthrough line is not a fleet-audit command: ${line}`).toBe('fleet-audit')
        const r = await runCli(words.slice(1), {cwd: walk, env, bin: process.env.FLEET_AUDIT_BIN})
        stdout += `## ${words.slice(1).join(' ')}\n${r.output}## exit ${r.code}\n`
      }

      const steps = stdout.split(/^## (?=ledger|audit|history)/m).slice(1)
      expect(steps).toHaveLength(lines.filter((l) => l.startsWith('fleet-audit ')).length)
      const exit = (s: string): number => Number(/## exit (\d+)/.exec(s)![1])
      expect(steps.map(exit)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0])
      const [, , exported, imported, recheck, , acks, list, verifyRetail, verifyNw, , history] = steps
      expect(exported).toMatch(
        /2 events #1–#2 from tohoku-epco to tohoku-nw → handoff-1\.yaml \(ledger retail\.sqlite\)/,
      )
      expect(imported).toContain('ledger nw.sqlite')
      expect(recheck).toMatch(/verified +tohoku-epco#1 install IS-RT-103/)
      expect(recheck).toMatch(/rejected +tohoku-epco#2 install IS-RT-101/)
      expect(acks).toContain('ledger retail.sqlite')
      expect(list).toMatch(/EVENT +OCCURRED +KIND +TERMINAL +SITE\/ZONE +STATE/)
      expect(list).toMatch(/tohoku-epco#2 +2026-11-21 10:00:00\+09:00 +install +IS-RT-101 .* rejected by tohoku-nw/)
      expect(verifyRetail).toMatch(/ledger retail\.sqlite \(tohoku-epco's[\s\S]*ledger intact/)
      expect(verifyNw).toMatch(/ledger nw\.sqlite \(tohoku-nw's[\s\S]*ledger intact/)
      expect(history).toMatch(/RUN +STARTED +FINDINGS +INVENTORY\n1 +2026-11-27 21:00:00\+09:00/)
    },
    T,
  )
})
