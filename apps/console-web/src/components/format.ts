/** Numbers as people read them, always with their unit. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** "1,234 calls", "1 call": the count with its unit, singular for one. */
export function formatCount(value: number, unit: string, plural = `${unit}s`): string {
  return `${integer.format(value)} ${value === 1 ? unit : plural}`;
}

/** An amount in cents with its currency, US dollars unless said: "$12.34", "€0.50". */
export function formatCents(cents: number, currency = 'usd'): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

/** A size in bytes as a person reads it: "812 B", "12.3 kB", "4.1 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** A share of a whole as a whole percentage, capped at 100 for bars (an overrun still reads from the text). */
export function percentOf(value: number, whole: number): number {
  if (whole <= 0) return value > 0 ? 100 : 0;
  return Math.min(100, Math.round((value / whole) * 100));
}
