/** The rows of one exported file: its one object, its array, or its JSON Lines. */
export function rowsOf(name: string, text: string): Array<Record<string, unknown>> {
  if (name.endsWith('.jsonl')) return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) ? (parsed as Array<Record<string, unknown>>) : [parsed as Record<string, unknown>];
}
