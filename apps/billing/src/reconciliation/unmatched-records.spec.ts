import type { LedgerRecord } from './ledger-window';
import { usageEventKey } from './polar-usage';
import { unmatchedRecords } from './unmatched-records';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, 0, ms));
const record = (eventId: string, ms: number, operation = 'faces.detect', units = 1): LedgerRecord => ({ eventId, operation, units, at: at(ms) });
const keyOf = (entry: LedgerRecord) => usageEventKey(entry.at, entry.operation, entry.units);
const ids = (records: LedgerRecord[]) => records.map((entry) => entry.eventId).sort();

describe('unmatchedRecords', () => {
  const ours = [record('a', 1), record('b', 2), record('c', 3, 'text.detect', 2), record('d', 4)];

  it('returns nothing when Polar holds an event for every record', () => {
    expect(unmatchedRecords(ours, ours.map(keyOf))).toEqual([]);
  });

  it('returns exactly the records Polar holds no event for', () => {
    expect(ids(unmatchedRecords(ours, [keyOf(record('a', 1)), keyOf(record('c', 3, 'text.detect', 2))]))).toEqual(['b', 'd']);
  });

  it('tells records apart by operation and units as well as time', () => {
    const sameTime = [record('x', 5, 'faces.detect', 1), record('y', 5, 'text.detect', 1), record('z', 5, 'faces.detect', 3)];
    expect(ids(unmatchedRecords(sameTime, [usageEventKey(at(5), 'faces.detect', 1), usageEventKey(at(5), 'faces.detect', 3)]))).toEqual(['y']);
  });

  it('returns every record of a key Polar holds fewer of than we sent, and none of a key it holds as many of', () => {
    const twins = [record('t1', 6), record('t2', 6), record('t3', 6), record('u1', 7), record('u2', 7)];
    const six = usageEventKey(at(6), 'faces.detect', 1);
    const seven = usageEventKey(at(7), 'faces.detect', 1);
    expect(ids(unmatchedRecords(twins, [six, six, seven, seven]))).toEqual(['t1', 't2', 't3']);
  });

  it('ignores events Polar holds that are not ours', () => {
    expect(unmatchedRecords([record('a', 1)], [keyOf(record('a', 1)), usageEventKey(at(99), 'faces.detect', 1)])).toEqual([]);
  });
});
