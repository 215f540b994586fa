/** An amount in cents as a person reads it, with its currency: "$12.34", "€0.50". */
export function formatCents(cents: number, currency = 'usd'): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

/** A count with its unit: "1,234 units". */
export function formatCount(count: number, unit: string): string {
  return `${count.toLocaleString()} ${unit}`;
}

/** A size in bytes as a person reads it: "812 B", "12.3 kB", "4.1 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
