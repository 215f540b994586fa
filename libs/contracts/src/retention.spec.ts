import { RETENTION_DEFAULTS, retentionSchema } from './retention';

describe('the retention table', () => {
  it('P6: defaults to 30 days of request log, 400 days of usage records and seven years of rollups', () => {
    expect(retentionSchema.parse({})).toEqual({ requestLogDays: 30, usageRecordDays: 400, rollupDays: 2557, invitationDays: 30 });
    expect(RETENTION_DEFAULTS.rollupDays).toBeGreaterThanOrEqual(Math.ceil(7 * 365.25));
  });

  it('P6: refuses a request log kept past 30 days or rollups kept under seven years; usage records are configurable', () => {
    expect(retentionSchema.safeParse({ requestLogDays: 31 }).success).toBe(false);
    expect(retentionSchema.safeParse({ rollupDays: 7 * 365 }).success).toBe(false);
    expect(retentionSchema.parse({ usageRecordDays: '90', requestLogDays: '7' })).toMatchObject({ usageRecordDays: 90, requestLogDays: 7 });
  });
});
