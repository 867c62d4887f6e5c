const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

/** True for an ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`), e.g. `2026-11-27T10:00+09:00`. */
export function isOffsetTime(value: string): boolean {
  return OFFSET_TIME.test(value) && !Number.isNaN(Date.parse(value))
}

/** A Date or an ISO string as milliseconds, or NaN. */
export function toMillis(value: Date | string): number {
  return typeof value === 'string' ? Date.parse(value) : value.getTime()
}

export function toIso(value: Date | string): string {
  return typeof value === 'string' ? new Date(value).toISOString() : value.toISOString()
}
