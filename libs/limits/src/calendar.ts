/** UTC calendar arithmetic on Unix seconds, the same the admit script does in Lua on Redis TIME. */

const DAY_SECONDS = 86_400;

/** Days since 1970-01-01 (UTC). */
export function utcDayOf(seconds: number): number {
  return Math.floor(seconds / DAY_SECONDS);
}

/** `YYYYMM` of the UTC month, e.g. 202412. */
export function utcMonthTagOf(seconds: number): number {
  const date = new Date(seconds * 1000);
  return date.getUTCFullYear() * 100 + date.getUTCMonth() + 1;
}

export function secondsToNextUtcDay(seconds: number): number {
  return (utcDayOf(seconds) + 1) * DAY_SECONDS - seconds;
}

export function secondsToNextUtcMonth(seconds: number): number {
  const date = new Date(seconds * 1000);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / 1000 - seconds;
}
