/**
 * The field tables are the one list of each record's fields: the live SQL tables (after every migration, which
 * keep their historical DDL) must have exactly these columns, and what the code derives from the tables must
 * round-trip a record.
 */
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {
  ACK_FIELDS,
  EVENT_FIELDS,
  ROW_ONLY_FIELDS,
  isIntegerField,
  type Field,
} from '../../../src/model/ledger-fields.js'
import {openLedger, SCHEMA_VERSION, schemaVersion, type LedgerDb} from '../../../src/ledger/index.js'
import {ackFromRaw, eventFromRaw} from '../../../src/ledger/rows.js'
import {eventBody, ackBody} from '../../../src/ledger/hash.js'
import {tempDir} from '../../commands/ledger/support.js'

let dir: string
let cleanup: () => void
let db: LedgerDb
beforeEach(() => {
  ;({dir, cleanup} = tempDir())
  db = openLedger(join(dir, 'l.sqlite'))
})
afterEach(() => {
  db.close()
  cleanup()
})

const expected = (fields: readonly Field[]) =>
  fields.map((f) => ({name: f.name, type: isIntegerField(f) ? 'INTEGER' : 'TEXT', notnull: f.nullable ? 0 : 1}))

describe('the live tables follow the field tables', () => {
  it.each([
    ['events', [...EVENT_FIELDS, ...ROW_ONLY_FIELDS]],
    ['acks', [...ACK_FIELDS, ...ROW_ONLY_FIELDS]],
  ] as const)('%s: the same columns, in the same order, types and nullability', (table, fields) => {
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION)
    const columns = (
      db.prepare(`PRAGMA table_info(${table})`).all() as {name: string; type: string; notnull: number}[]
    ).map(({name, type, notnull}) => ({name, type, notnull}))
    expect(columns).toEqual(expected(fields))
  })
})

describe('derived conversions', () => {
  it('a raw row becomes the record in table order, JSON columns parsed', () => {
    const raw = EVENT_FIELDS.map((f) =>
      f.name === 'macs' ? '["02:00:00:00:00:01"]' : f.name === 'seq' ? 7 : `v-${f.name}`,
    )
    const event = eventFromRaw(raw)
    expect(Object.keys(event)).toEqual(EVENT_FIELDS.map((f) => f.name))
    expect(event).toMatchObject({seq: 7, macs: ['02:00:00:00:00:01'], note: 'v-note', hash: 'v-hash'})
    expect(Object.keys(eventBody(event))).toEqual(EVENT_FIELDS.slice(0, -1).map((f) => f.name))
    const ackRaw = ACK_FIELDS.map((f) => (f.name === 'evidence' ? '[{"rule":"x"}]' : `v-${f.name}`))
    const ack = ackFromRaw(ackRaw)
    expect(ack.evidence).toEqual([{rule: 'x'}])
    expect(Object.keys(ackBody(ack))).toEqual(ACK_FIELDS.slice(0, -1).map((f) => f.name))
  })
})
