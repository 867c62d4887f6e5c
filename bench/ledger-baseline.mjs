// Baseline for the ledger benchmark: the same number of rows inserted with better-sqlite3 in one transaction, each
// with a SHA-256 of its JSON, and nothing else (no validation, no chain, no triggers). Prints elapsed ms.
import {createHash} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'

const n = Number(process.argv[2] ?? 100_000)
const dir = mkdtempSync(join(tmpdir(), 'fa-ledger-base-'))
const db = new Database(join(dir, 'base.sqlite'))
db.pragma('journal_mode = WAL')
db.exec(
  'CREATE TABLE events (seq INTEGER PRIMARY KEY, terminal TEXT NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL) STRICT',
)
const insert = db.prepare('INSERT INTO events (seq, terminal, body, hash) VALUES (@seq, @terminal, @body, @hash)')
const t0 = process.hrtime.bigint()
db.transaction(() => {
  for (let seq = 1; seq <= n; seq++) {
    const body = JSON.stringify({
      issuer: 'tohoku-epco',
      seq,
      kind: 'install',
      terminal: `T${seq}`,
      site: 's',
      zone: 'z',
      role: 'retail',
      macs: ['02:00:00:00:00:01'],
    })
    insert.run({seq, terminal: `T${seq}`, body, hash: createHash('sha256').update(body).digest('hex')})
  }
})()
const ms = Number(process.hrtime.bigint() - t0) / 1e6
db.close()
rmSync(dir, {recursive: true, force: true})
process.stdout.write(`${ms}\n`)
