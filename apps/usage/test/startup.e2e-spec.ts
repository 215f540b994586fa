import { startApp } from '@nomosly/testing';

describe('usage start-up', () => {
  it('stops at start naming each bad variable', async () => {
    const error = await startApp('usage', { EVENTS_REDIS_URL: 'http://nope', USAGE_BATCH_SIZE: 'lots', RETENTION_USAGE_RECORD_DAYS: '3' }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/exited with 1/);
    expect((error as Error).message).toMatch(/EVENTS_REDIS_URL: expected a redis or rediss URL/);
    expect((error as Error).message).toMatch(/USAGE_BATCH_SIZE/);
    expect((error as Error).message).toMatch(/RETENTION_USAGE_RECORD_DAYS/);
  });
});
