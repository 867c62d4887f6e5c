import {describe, expect, it} from 'vitest'

import {sanitize, sanitizeLine} from '../../../src/io/text.js'

describe('sanitize', () => {
  it.each([
    ['ESC (clear screen)', 'a\u001b[2Jb', 'a\\u001b[2Jb'],
    ['BEL and backspace', '\u0007\u0008', '\\u0007\\u0008'],
    ['DEL and C1 CSI', '\u007f\u009b', '\\u007f\\u009b'],
    ['right-to-left override', 'abc\u202Edef', 'abc\\u202edef'],
    ['isolates and marks', '\u2066\u2069\u200e\u200f', '\\u2066\\u2069\\u200e\\u200f'],
    ['carriage return', 'ok\rFAKE', 'ok\\u000dFAKE'],
  ])('escapes %s', (_, input, want) => {
    expect(sanitize(input)).toBe(want)
  })

  it('keeps Japanese text, newlines and tabs', () => {
    expect(sanitize('八戸営業所\n共用\tカウンター')).toBe('八戸営業所\n共用\tカウンター')
  })

  it('sanitizeLine escapes newlines and tabs too', () => {
    expect(sanitizeLine('a\nb\tc\u001b')).toBe('a\\nb\\tc\\u001b')
  })
})
