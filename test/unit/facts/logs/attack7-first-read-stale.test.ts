/**
 * Attack (attack7): the first reads of a large log file (prehash.ts) start as soon as the mappings are loaded, while
 * the inventory loads, so before the review plans the file (its size and stamp). A file rewritten in that gap with
 * the same size was taken as the first read saw it: its "the engine can read it as it is" verdict and its hash were
 * matched by size only. The plan's stamp was taken after the rewrite, so the check after the scan (`unchanged`) had
 * nothing to see either. Here the rewrite puts a 1.5 MiB line in place of some 12,000 short ones: the engine was
 * given the over-long line (which it may drop without a reject, see lines.ts), and the SHA-256 recorded for the file
 * was that of bytes the review never read.
 */
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {afterAll, describe, expect, it} from 'vitest'

import {loadInputsWithLogs, reviewLoaded} from '../../../../src/app/logs.js'
import {startLogReads} from '../../../../src/app/logs-start.js'
import {FIRST_READ_MIN_BYTES, firstReadWorker} from '../../../../src/facts/logs/prehash.js'
import {ROOT} from '../../../support/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'fa-attack7-stale-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))
firstReadWorker.path = join(ROOT, 'dist/src/facts/logs/prehash-worker.js')
const EXAMPLE = join(ROOT, 'inventories/tohoku-example')

function dayRows(): string[] {
  const gz = readFileSync(join(EXAMPLE, 'logs/2026-10/access-20261015.csv.gz'))
  return new TextDecoder('shift_jis').decode(gunzipSync(gz)).split('\r\n').filter(Boolean)
}

describe('a large file rewritten (same size) between its first read and the review', () => {
  it('is reviewed and hashed as it is, or refused', async () => {
    const [header, ...rows] = dayRows()
    const lines = [header]
    const perDay = Buffer.byteLength(rows.join('\n'))
    for (let bytes = 0; bytes < FIRST_READ_MIN_BYTES + (1 << 20); bytes += perDay) lines.push(...rows)
    const before = Buffer.from(lines.join('\n') + '\n')
    const file = join(tmp, 'big.csv')
    writeFileSync(file, before)
    const mapping = join(tmp, 'map.yaml')
    writeFileSync(
      mapping,
      readFileSync(join(EXAMPLE, 'logs/customer-system.yaml'), 'utf8')
        .replace('encoding: shift_jis', 'encoding: utf-8')
        .replace(/files: .*/, `files: ["${file}"]`),
    )
    const logs = {mappings: [mapping], from: '2026-10-15', to: '2026-10-15'}
    const options = {inventory: EXAMPLE, failOn: 'high' as const, logs}
    const {inputs, mappings, firstReads} = await loadInputsWithLogs(options, await startLogReads(logs))
    // The first reads are done (the hash is the last of them)...
    expect(await firstReads.sha256(file, before.length)).toBe(createHash('sha256').update(before).digest('hex'))

    // ...then the file is rewritten with the same size: lines 1001.. become one line of about 1.5 MiB.
    const start = before.indexOf('\n', Buffer.byteLength(lines.slice(0, 1000).join('\n'))) + 1
    const end = before.indexOf('\n', start + 1.5 * (1 << 20))
    const after = Buffer.from(before)
    after.fill(0x61, start, end)
    writeFileSync(file, after)
    expect(statSync(file).size).toBe(before.length)
    let records = 0
    for (let at = after.indexOf(0x0a); at !== -1; at = after.indexOf(0x0a, at + 1)) records++
    records-- // the header

    let outcome
    try {
      outcome = await reviewLoaded(inputs, mappings, options, logs, {now: new Date('2026-11-27T00:00:00Z'), firstReads})
    } catch (error) {
      // Refusing the file (exit 2) would do too.
      expect((error as Error).message).toMatch(/changed/)
      return
    }

    const [summary] = outcome.summary.files
    // Was: the hash of the file before the rewrite, which the review never read.
    expect(summary.sha256).toBe(createHash('sha256').update(after).digest('hex'))
    expect(summary.rows).toBe(records)
    expect(summary.first_unparseable).toEqual([`${file}:1001`])
  }, 60_000)
})
