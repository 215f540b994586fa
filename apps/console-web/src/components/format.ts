/** Numbers as people read them, always with their unit. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** "1,234 calls", "1 call": the count with its unit, singular for one. */
export function formatCount(value: number, unit: string, plural = `${unit}s`): string {
  return `${integer.format(value)} ${value === 1 ? unit : plural}`;
}

/** Cents as US dollars ("$12.34"). */
export function formatCents(cents: number): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(cents / 100);
}

/** A share of a whole as a whole percentage, capped at 100 for bars (an overrun still reads from the text). */
export function percentOf(value: number, whole: number): number {
  if (whole <= 0) return value > 0 ? 100 : 0;
  return Math.min(100, Math.round((value / whole) * 100));
}
