/** UTC calendar days as the Console API takes them (YYYY-MM-DD): usage is rolled up per UTC day. */

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function todayUtc(now = new Date()): string {
  return utcDay(now);
}

export function firstOfMonthUtc(now = new Date()): string {
  return `${utcDay(now).slice(0, 8)}01`;
}

/** Every day from `from` to `to`, both included (an empty list when `to` is before `from`). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let day = Date.parse(`${from}T00:00:00Z`); day <= end && days.length <= 366; day += 86_400_000) {
    days.push(utcDay(new Date(day)));
  }
  return days;
}

export function isUtcDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}
