import {ConfigError} from '../../model/errors.js'
import {zoneOffsetMs} from '../../io/time.js'

const formats = new Map<string, Intl.DateTimeFormat>()

/** An instant as local time with its offset in a zone, e.g. `2026-04-01T00:30:00+09:00`: what auditors compare. */
export function formatInstant(instant: Date, timeZone: string): string {
  let f = formats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
    formats.set(timeZone, f)
  }

  const p = Object.fromEntries(f.formatToParts(instant).map((x) => [x.type, x.value]))
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName.replace('GMT', '')
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`
}

/** A local wall time of a zone (milliseconds read as if UTC) shown with that zone's offset at the time. */
export function formatLocal(wallMs: number, timeZone: string): string {
  const offsetAt = (instant: number) => zoneOffsetMs(instant, timeZone)
  const first = offsetAt(wallMs)
  const instant = wallMs - offsetAt(wallMs - first)
  return formatInstant(new Date(instant), timeZone)
}

/** Checks `--from` / `--to`: real calendar days, from not after to. */
export function parsePeriod(from: string | undefined, to: string | undefined): {from: string; to: string} {
  const problems = []
  for (const [flag, v] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (v === undefined)
      problems.push({
        code: 'E_FLAG',
        message: `${flag} DAY is required for a log review (whole days in the policy's time zone)`,
      })
    else if (!isDay(v)) problems.push({code: 'E_FLAG', message: `${flag}: "${v}" is not a day (YYYY-MM-DD)`})
  }

  if (problems.length === 0 && from! > to!)
    problems.push({code: 'E_FLAG', message: `--from ${from} is after --to ${to}`})
  if (problems.length > 0) throw new ConfigError(problems)
  return {from: from!, to: to!}
}

function isDay(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false
  const d = new Date(`${v}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v)
}
