import type { WorkerCapacity } from '@nomosly/contracts';
import { QueueAdmission, type QueueSnapshot } from './queue-admission';

const T0 = 1_000_000;
const worker = (slots: number, serviceMs: number | null, at = T0): WorkerCapacity => ({ slots, serviceMs, at });
const snapshot = (waiting: number, active: number, workers: WorkerCapacity[], at = T0): QueueSnapshot => ({ waiting, active, workers, at });

function admissionWith(maxQueueWaitMs: number, maxBacklog = 1_000): QueueAdmission {
  return new QueueAdmission({ maxQueueWaitMs, maxBacklog });
}

function observed(admission: QueueAdmission, read: QueueSnapshot): QueueAdmission {
  admission.observe(read, admission.markRead());
  return admission;
}

describe('QueueAdmission: admission by the estimated queue wait (issue 16, item 2)', () => {
  it('estimates the wait as the jobs no free slot takes, over the rate at which slots turn over, plus the wait for the first slot to free', () => {
    // 4 slots of 200 ms: a slot frees every 50 ms; 6 waiting, all 4 busy: 6 x 50 ms, plus 4/5 of 50 ms = 340 ms.
    expect(observed(admissionWith(1_000), snapshot(6, 4, [worker(4, 200)])).estimatedWaitMs(T0)).toBeCloseTo(340);
    // Two workers add up: 2 slots of 100 ms and 1 of 50 ms turn over 0.04 per ms; 4 waiting: (4 + 3/4) x 25 ms.
    expect(observed(admissionWith(1_000), snapshot(4, 3, [worker(2, 100), worker(1, 50)])).estimatedWaitMs(T0)).toBeCloseTo(118.75);
  });

  it('counts free slots: a job a free slot takes at once does not wait', () => {
    // 4 slots, 1 busy, 2 waiting (about to be taken): a slot is still free.
    expect(observed(admissionWith(1), snapshot(2, 1, [worker(4, 200)])).estimatedWaitMs(T0)).toBe(0);
    // 3 waiting: every slot taken, the next job waits for the first to free (4/5 of 50 ms).
    expect(observed(admissionWith(1), snapshot(3, 1, [worker(4, 200)])).estimatedWaitMs(T0)).toBeCloseTo(40);
    expect(observed(admissionWith(1), snapshot(5, 1, [worker(4, 200)])).estimatedWaitMs(T0)).toBeCloseTo(140);
  });

  it('admits while the estimate is within the limit and refuses past it, counting its own admissions since the last read', () => {
    // 1 slot of 100 ms, busy, nothing waiting; at most 260 ms of wait: the 1st, 2nd and 3rd calls wait about 50,
    // 150 and 250 ms and are admitted; the 4th would wait 350 ms.
    const admission = observed(admissionWith(260), snapshot(0, 1, [worker(1, 100)]));
    expect([admission.decide(T0), admission.decide(T0), admission.decide(T0)]).toEqual([{ admit: true }, { admit: true }, { admit: true }]);
    const refused = admission.decide(T0);
    expect(refused).toMatchObject({ admit: false, reason: 'queue_wait' });
    expect(refused.admit === false && refused.reason === 'queue_wait' && refused.estimatedWaitMs).toBeCloseTo(350);
  });

  it('drains the estimate between reads at the workers\' rate', () => {
    const admission = observed(admissionWith(250), snapshot(3, 1, [worker(1, 100)]));
    expect(admission.decide(T0)).toMatchObject({ admit: false });
    expect(admission.estimatedWaitMs(T0)).toBeCloseTo(350);
    expect(admission.estimatedWaitMs(T0 + 150)).toBeCloseTo(200);
    expect(admission.decide(T0 + 150)).toEqual({ admit: true });
    expect(admission.estimatedWaitMs(T0 + 10_000)).toBe(0);
  });

  it('a read starts the count again, except for admissions made while the read was under way', () => {
    const admission = observed(admissionWith(10_000), snapshot(0, 1, [worker(1, 100)]));
    admission.decide(T0);
    admission.decide(T0);
    const mark = admission.markRead();
    admission.decide(T0); // after the read was asked for: the read may not have seen it
    // The read saw the first two (waiting 2); the third is added on top: (3 + 1/2) x 100 ms.
    admission.observe(snapshot(2, 1, [worker(1, 100)]), mark);
    expect(admission.estimatedWaitMs(T0)).toBeCloseTo(350);
  });

  it('falls back to the backlog count alone when no worker has timed a job (stale reports are left out by CapacityReports)', () => {
    expect(observed(admissionWith(100), snapshot(6, 1, [worker(1, 100)])).estimatedWaitMs(T0)).toBeCloseTo(650);
    expect(observed(admissionWith(100), snapshot(50, 1, [worker(1, null)])).estimatedWaitMs(T0)).toBeNull();
    expect(observed(admissionWith(100), snapshot(50, 1, [])).decide(T0)).toEqual({ admit: true });
    expect(admissionWith(100).decide(T0)).toEqual({ admit: true });
  });

  it('refuses past VISION_MAX_BACKLOG waiting jobs whatever the estimate', () => {
    const admission = observed(admissionWith(600_000, 3), snapshot(2, 1, [worker(1, null)]));
    expect(admission.decide(T0)).toEqual({ admit: true });
    expect(admission.decide(T0)).toEqual({ admit: false, reason: 'backlog', waiting: 3 });
  });

  it('a refused call is not counted as waiting', () => {
    const admission = observed(admissionWith(60), snapshot(0, 1, [worker(1, 100)]));
    expect(admission.decide(T0)).toEqual({ admit: true });
    expect(admission.decide(T0)).toMatchObject({ admit: false });
    expect(admission.estimatedWaitMs(T0)).toBeCloseTo(150);
  });
});
