import type { WorkerCapacity } from '@nomosly/contracts';

/** The vision queue as last read from Redis: its counts and the workers' capacity reports. */
export interface QueueSnapshot {
  /** Jobs waiting for a worker. */
  waiting: number;
  /** Jobs a worker holds. */
  active: number;
  /** The fresh capacity reports (CapacityReports). */
  workers: readonly WorkerCapacity[];
  /** When the snapshot was asked for (ms since the epoch). */
  at: number;
}

export type AdmissionDecision =
  | { admit: true }
  | { admit: false; reason: 'queue_wait'; estimatedWaitMs: number }
  | { admit: false; reason: 'backlog'; waiting: number };

export interface QueueAdmissionLimits {
  /** A call whose job would wait longer than this for a worker is refused (503) at once. */
  maxQueueWaitMs: number;
  /** Whatever the estimate, at most this many waiting jobs (the rule when no worker has reported a job time yet). */
  maxBacklog: number;
}

/**
 * Admission by the queue wait a new job would see: the jobs ahead of it that no free slot takes at once, divided
 * by the rate at which the workers' slots turn over (each fresh report's slots / its average job time), plus, when
 * every slot is busy, the wait for the first of them to free (k busy slots at random points of their jobs: k/(k+1)
 * of a turnover interval).
 *
 * The queue is read from Redis every ~100 ms; between reads, the calls this gateway admitted since the read was
 * asked for count as waiting and the time passed drains the estimate at the workers' rate. Other gateways'
 * admissions since the last read are not seen: with several gateways the estimate lags by one read at most.
 */
export class QueueAdmission {
  private snapshot: QueueSnapshot | null = null;
  /** From the snapshot's reports: the slots, and jobs started per ms when every slot is busy (null: no job time yet). */
  private capacity: { slots: number; turnoverPerMs: number } | null = null;
  /** Calls admitted by this gateway since `snapshot` was asked for. */
  private admittedSince = 0;
  /** Total admitted, so that a read in progress knows which admissions it may already count. */
  private admittedTotal = 0;

  constructor(private readonly limits: QueueAdmissionLimits) {}

  /** Call when a read of the queue is asked for; pass the returned mark to `observe` with its answer. */
  markRead(): number {
    return this.admittedTotal;
  }

  /** A read's answer: admissions made after the read was asked for are still counted on top of it. */
  observe(snapshot: QueueSnapshot, mark: number): void {
    this.snapshot = snapshot;
    this.admittedSince = this.admittedTotal - mark;
    const timed = snapshot.workers.filter((worker): worker is WorkerCapacity & { serviceMs: number } => worker.serviceMs !== null);
    this.capacity =
      timed.length === 0
        ? null
        : {
            slots: snapshot.workers.reduce((sum, worker) => sum + worker.slots, 0),
            turnoverPerMs: timed.reduce((sum, worker) => sum + worker.slots / worker.serviceMs, 0),
          };
  }

  /** Decides for one call; an admitted call is counted as waiting until the next read. */
  decide(now: number): AdmissionDecision {
    const waitingNow = (this.snapshot?.waiting ?? 0) + this.admittedSince;
    if (waitingNow >= this.limits.maxBacklog) return { admit: false, reason: 'backlog', waiting: waitingNow };
    const estimatedWaitMs = this.estimatedWaitMs(now);
    if (estimatedWaitMs !== null && estimatedWaitMs > this.limits.maxQueueWaitMs) {
      return { admit: false, reason: 'queue_wait', estimatedWaitMs };
    }
    this.admittedSince++;
    this.admittedTotal++;
    return { admit: true };
  }

  /**
   * How long a job added now would wait for a slot, in ms: 0 when a slot is free, null when no worker has said how
   * long its jobs take (no fresh report with a job time), so only the backlog count applies.
   */
  estimatedWaitMs(now: number): number | null {
    const { snapshot, capacity } = this;
    if (!snapshot || !capacity) return null;
    const { slots, turnoverPerMs } = capacity;
    const freeSlots = Math.max(0, slots - snapshot.active);
    const beyondFreeSlots = snapshot.waiting + this.admittedSince - freeSlots;
    // A free slot left at the read (or one the drain since has freed): the job starts at once.
    if (beyondFreeSlots < 0) return 0;
    const drained = turnoverPerMs * Math.max(0, now - snapshot.at);
    const ahead = beyondFreeSlots - drained;
    if (ahead <= -1) return 0;
    return (Math.max(0, ahead) + slots / (slots + 1)) / turnoverPerMs;
  }
}
