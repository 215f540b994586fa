import { startApp, TEST_REDIS_URL } from '@nomosly/testing';

describe('vision-worker start-up', () => {
  it('stops at start with a message naming what to install when a model file is missing', async () => {
    const error = await startApp('vision-worker', {
      VISION_REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: 'startup-test',
      TESSDATA_FILE: '/nonexistent/eng.traineddata',
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/exited with 1/);
    expect((error as Error).message).toMatch(/tesseract-ocr-eng/);
  });

  it('stops at start naming a bad variable', async () => {
    const error = await startApp('vision-worker', { VISION_REDIS_URL: 'http://nope', VISION_CONCURRENCY: 'many' }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/VISION_REDIS_URL: expected a redis or rediss URL/);
    expect((error as Error).message).toMatch(/VISION_CONCURRENCY/);
  });
});
