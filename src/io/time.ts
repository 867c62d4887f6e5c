import {ConfigError} from '../model/errors.js'

/**
 * Parses `--now` / `FLEET_AUDIT_NOW`: an ISO 8601 instant with offset, or a bare day (taken as 12:00 UTC,
 * which is the same calendar day in every time zone from UTC-11 to UTC+11, Asia/Tokyo included).
 */
export function parseNow(value: string | undefined, clock: () => Date = () => new Date()): Date {
  if (value === undefined || value === '') return clock()
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value)
  const instant = day ? `${value}T12:00:00Z` : value
  const date = new Date(instant)
  if (
    !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) ||
    Number.isNaN(date.getTime())
  ) {
    throw new ConfigError([
      {code: 'E_FLAG', message: `--now: "${value}" is not a date (YYYY-MM-DD) or an ISO 8601 time with offset`},
    ])
  }

  const [y, m, d] = value.slice(0, 10).split('-').map(Number)
  const check = new Date(Date.UTC(y, m - 1, d))
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    throw new ConfigError([
      {code: 'E_FLAG', message: `--now: "${value}" is not a date (YYYY-MM-DD) or an ISO 8601 time with offset`},
    ])
  }

  return date
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayIn(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone)
  if (!format) {
    // Building a DateTimeFormat costs ~0.5 ms; an audit asks once per terminal.
    format = new Intl.DateTimeFormat('en-CA', {timeZone, year: 'numeric', month: '2-digit', day: '2-digit'})
    dayFormats.set(timeZone, format)
  }

  return format.format(instant)
}

const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** Whole days from one calendar day to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

/** True for an ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`), e.g. `2026-11-27T10:00+09:00`. */
export function isOffsetTime(value: string): boolean {
  return OFFSET_TIME.test(value) && !Number.isNaN(Date.parse(value))
}

export function toIso(value: Date | string): string {
  return typeof value === 'string' ? new Date(value).toISOString() : value.toISOString()
}

const formats = new Map<string, Intl.DateTimeFormat>()

/** The wall-clock fields of an instant (milliseconds) in a time zone, as two-digit (four for the year) strings. */
export function zonedParts(
  ms: number,
  timeZone: string,
): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  let format = formats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formats.set(timeZone, format)
  }

  const p = Object.fromEntries(format.formatToParts(new Date(ms)).map((x) => [x.type, x.value]))
  return {year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second}
}

/** How far a zone's wall clock is ahead of UTC at an instant, in milliseconds (whole seconds). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone)
  const local = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  )
  return local - Math.floor(ms / 1000) * 1000
}

/**
 * An instant as people in `timeZone` read it, with the offset so it is never ambiguous:
 * `2026-11-20 10:00:00+09:00`. Unparseable text is returned as it is.
 */
export function formatInZone(value: Date | string, timeZone: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : value.getTime()
  if (Number.isNaN(ms)) return String(value)
  const p = zonedParts(ms, timeZone)
  const offset = Math.round(zoneOffsetMs(ms, timeZone) / 60_000)
  const sign = offset < 0 ? '-' : '+'
  const abs = Math.abs(offset)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** The last second of a calendar day (YYYY-MM-DD) in a time zone, as an instant. */
export function endOfDayIn(day: string, timeZone: string): Date {
  const offset = formatInZone(new Date(`${day}T12:00:00Z`), timeZone).slice(-6)
  return new Date(`${day}T23:59:59${offset}`)
}
