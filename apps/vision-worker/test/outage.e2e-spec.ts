import { describeOutages, redisOutageTarget } from '@nomosly/testing';

describeOutages({
  app: 'vision-worker',
  dependencies: ['vision-redis'],
  targets: async () => {
    const redis = await redisOutageTarget('vision-redis');
    return [{ ...redis, stop: () => redis.server.stop() }];
  },
  env: (targets) => ({ VISION_REDIS_URL: targets['vision-redis'].server?.url ?? '', ENGINE: 'null', QUEUE_PREFIX: 'outage' }),
});
