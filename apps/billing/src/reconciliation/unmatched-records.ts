import type { LedgerRecord } from './ledger-window';
import { usageEventKey } from './polar-usage';

/**
 * The records Polar may lack: those of every match key Polar holds fewer events of than we sent. When several
 * records share a key, all of them are returned, since which one Polar lacks cannot be told; re-sending one it
 * holds is harmless.
 */
export function unmatchedRecords(ours: readonly LedgerRecord[], theirKeys: readonly string[]): LedgerRecord[] {
  const theirCounts = new Map<string, number>();
  for (const key of theirKeys) theirCounts.set(key, (theirCounts.get(key) ?? 0) + 1);
  const byKey = new Map<string, LedgerRecord[]>();
  for (const record of ours) {
    const key = usageEventKey(record.at, record.operation, record.units);
    byKey.set(key, [...(byKey.get(key) ?? []), record]);
  }
  return [...byKey].flatMap(([key, records]) => (records.length > (theirCounts.get(key) ?? 0) ? records : []));
}
