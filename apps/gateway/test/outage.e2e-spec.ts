import { describeOutages, postgresOutageTarget, redisOutageTarget } from '@nomosly/testing';

describeOutages({
  app: 'gateway',
  dependencies: ['vision-redis', 'events-redis', 'postgres'],
  targets: async () => {
    const vision = await redisOutageTarget('vision-redis');
    const events = await redisOutageTarget('events-redis');
    const postgres = await postgresOutageTarget();
    return [
      { ...vision, stop: () => vision.server.stop() },
      { ...events, stop: () => events.server.stop() },
      { ...postgres, stop: () => postgres.proxy.stop() },
    ];
  },
  env: (targets) => ({
    VISION_REDIS_URL: targets['vision-redis'].server?.url ?? '',
    EVENTS_REDIS_URL: targets['events-redis'].server?.url ?? '',
    DATABASE_URL: targets.postgres.url ?? '',
    QUEUE_PREFIX: 'outage',
  }),
});
