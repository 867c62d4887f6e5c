import {describe, expect, it} from 'vitest'

import {ConfigError} from '../../../src/model/errors.js'
import {dayIn, daysBetween, parseNow} from '../../../src/io/time.js'

describe('parseNow', () => {
  it('takes a bare day as noon UTC, the same day in Tokyo', () => {
    const d = parseNow('2026-11-27')
    expect(d.toISOString()).toBe('2026-11-27T12:00:00.000Z')
    expect(dayIn(d, 'Asia/Tokyo')).toBe('2026-11-27')
  })

  it('takes an instant with an offset', () => {
    expect(parseNow('2026-11-27T08:30:00+09:00').toISOString()).toBe('2026-11-26T23:30:00.000Z')
    expect(parseNow('2026-11-27T08:30:00.5Z').toISOString()).toBe('2026-11-27T08:30:00.500Z')
  })

  it('uses the clock without a value', () => {
    const clock = () => new Date('2030-01-01T00:00:00Z')
    expect(parseNow(undefined, clock).toISOString()).toBe('2030-01-01T00:00:00.000Z')
    expect(parseNow('', clock).toISOString()).toBe('2030-01-01T00:00:00.000Z')
  })

  it.each(['yesterday', '2026-13-01', '2026-02-30x', '2026-11-27T08:30:00', '27/11/2026', '2026-11-27T25:00:00Z'])(
    'refuses %j as an input error',
    (value) => {
      expect(() => parseNow(value)).toThrow(ConfigError)
    },
  )

  it('refuses an impossible day rather than rolling it over', () => {
    expect(() => parseNow('2026-02-30')).toThrow(ConfigError)
  })
})

describe('days', () => {
  it('dayIn uses the time zone', () => {
    const t = new Date('2026-11-27T15:30:00Z')
    expect(dayIn(t, 'Asia/Tokyo')).toBe('2026-11-28')
    expect(dayIn(t, 'UTC')).toBe('2026-11-27')
  })

  it('daysBetween counts whole calendar days', () => {
    expect(daysBetween('2026-11-01', '2026-11-27')).toBe(26)
    expect(daysBetween('2026-11-27', '2026-11-01')).toBe(-26)
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1)
  })
})
