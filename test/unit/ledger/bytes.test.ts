/**
 * The byte buffer the signed text and the written hand-off are built in: a head rendered last must land before
 * everything written, whether it fits the room kept for it or not.
 */
import {describe, expect, it} from 'vitest'

import {ByteSink} from '../../../src/ledger/bytes.js'

describe('ByteSink', () => {
  it('keeps the order of writes across its 64 KiB pieces and its growth', () => {
    const sink = new ByteSink(16)
    const parts = Array.from({length: 5000}, (_, i) => `record ${i} — 東北\n`)
    for (const p of parts) sink.write(p)
    expect(sink.bytes().toString('utf8')).toBe(parts.join(''))
  })

  it('puts a prepended head into the room kept for it', () => {
    const sink = new ByteSink(8, 64)
    sink.write('body ')
    sink.write('end')
    sink.prepend('head: 東北 ')
    expect(sink.bytes().toString('utf8')).toBe('head: 東北 body end')
    sink.write(' more')
    expect(sink.bytes().toString('utf8')).toBe('head: 東北 body end more')
  })

  it('prepends a head larger than the room by copying, and can grow after it', () => {
    const sink = new ByteSink(4, 3)
    sink.write('body')
    const head = 'h'.repeat(100) + '\n'
    sink.prepend(head)
    expect(sink.bytes().toString('utf8')).toBe(head + 'body')
    const tail = 'x'.repeat(70_000)
    sink.write(tail)
    expect(sink.bytes().toString('utf8')).toBe(head + 'body' + tail)
  })
})
