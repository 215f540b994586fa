import { workerCapacitySchema } from '@nomosly/contracts';
import { ServiceTime } from './capacity-report';

describe('ServiceTime: the job time a worker reports to the gateways\' admission (issue 16, item 2)', () => {
  it('is unknown until the first job, then that job\'s time', () => {
    const time = new ServiceTime();
    expect(time.ms).toBeNull();
    time.record(200);
    expect(time.ms).toBe(200);
  });

  it('moves a tenth of the way towards each new job time, so one odd job does not swing the estimate', () => {
    const time = new ServiceTime();
    time.record(100);
    time.record(1_100);
    expect(time.ms).toBe(200);
    for (let i = 0; i < 100; i++) time.record(50);
    expect(time.ms).toBeCloseTo(50, 0);
  });

  it('never reports zero (a report must be positive to divide by)', () => {
    const time = new ServiceTime();
    time.record(0);
    expect(workerCapacitySchema.safeParse({ slots: 1, serviceMs: time.ms, at: 0 }).success).toBe(true);
  });
});
