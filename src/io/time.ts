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
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) || Number.isNaN(date.getTime())) {
    throw new ConfigError([
      {code: 'E_FLAG', message: `--now: "${value}" is not a date (YYYY-MM-DD) or an ISO 8601 time with offset`},
    ])
  }

  const [y, m, d] = value.slice(0, 10).split('-').map(Number)
  const check = new Date(Date.UTC(y, m - 1, d))
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    throw new ConfigError([{code: 'E_FLAG', message: `--now: "${value}" is not a date (YYYY-MM-DD) or an ISO 8601 time with offset`}])
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
