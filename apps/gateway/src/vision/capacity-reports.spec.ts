import { WORKER_CAPACITY_STALE_MS, type WorkerCapacity } from '@nomosly/contracts';
import { CapacityReports } from './capacity-reports';

const report = (at: number, slots = 1): string => JSON.stringify({ slots, serviceMs: 100, at } satisfies WorkerCapacity);

describe('CapacityReports: fresh by this gateway\'s clock, whatever the workers\' clocks say', () => {
  const now = 1_000_000_000;

  it('a worker whose clock is an hour behind is fresh while its report keeps changing', () => {
    const reports = new CapacityReports();
    const behind = now - 3_600_000;
    expect(reports.read({ w: report(behind) }, now).fresh).toHaveLength(1);
    expect(reports.read({ w: report(behind + 1_000) }, now + 1_000).fresh).toHaveLength(1);
    // And one whose clock is ahead is not fresh for ever once it stops writing.
    expect(reports.read({ w: report(behind + 1_000) }, now + 1_000 + WORKER_CAPACITY_STALE_MS + 1).fresh).toEqual([]);
  });

  it('a report left unchanged goes stale, then is removed; an unreadable one is removed at once', () => {
    const reports = new CapacityReports();
    expect(reports.read({ w: report(5), bad: 'not json' }, now)).toEqual({ fresh: [JSON.parse(report(5))], forgotten: ['bad'] });
    expect(reports.read({ w: report(5) }, now + WORKER_CAPACITY_STALE_MS)).toMatchObject({ fresh: [expect.anything()], forgotten: [] });
    expect(reports.read({ w: report(5) }, now + WORKER_CAPACITY_STALE_MS + 1)).toEqual({ fresh: [], forgotten: [] });
    expect(reports.read({ w: report(5) }, now + 12 * WORKER_CAPACITY_STALE_MS + 1)).toEqual({ fresh: [], forgotten: ['w'] });
  });
});
