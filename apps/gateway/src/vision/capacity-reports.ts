import { WORKER_CAPACITY_STALE_MS, workerCapacitySchema, type WorkerCapacity } from '@nomosly/contracts';

/** A report unchanged this much longer than stale is a worker that died without removing it: its field is removed. */
const FORGOTTEN_MS = 12 * WORKER_CAPACITY_STALE_MS;

/**
 * The workers' capacity reports as this gateway reads them. Whether a report is fresh is judged on this gateway's
 * own clock, by when it last saw the report change (a worker rewrites its own every second), never by comparing the
 * worker's timestamp with this clock: gateways and workers run on different machines, whose clocks may disagree.
 */
export class CapacityReports {
  private readonly seen = new Map<string, { at: number; changedAt: number }>();

  /** From the hash's fields (worker -> report): the fresh reports, and the fields to remove (unreadable or long dead). */
  read(fields: Record<string, string>, now: number): { fresh: WorkerCapacity[]; forgotten: string[] } {
    const fresh: WorkerCapacity[] = [];
    const forgotten: string[] = [];
    for (const field of this.seen.keys()) if (!(field in fields)) this.seen.delete(field);
    for (const [field, text] of Object.entries(fields)) {
      const report = parse(text);
      if (!report) {
        forgotten.push(field);
        continue;
      }
      const last = this.seen.get(field);
      const changedAt = last && last.at === report.at ? last.changedAt : now;
      this.seen.set(field, { at: report.at, changedAt });
      if (now - changedAt > FORGOTTEN_MS) {
        forgotten.push(field);
        this.seen.delete(field);
      } else if (now - changedAt <= WORKER_CAPACITY_STALE_MS) {
        fresh.push(report);
      }
    }
    return { fresh, forgotten };
  }
}

function parse(text: string): WorkerCapacity | null {
  try {
    const parsed = workerCapacitySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
