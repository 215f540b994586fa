import { POLAR_NOT_CALLED_ENV, describeOutages, postgresOutageTarget, redisOutageTarget } from '@nomosly/testing';

describeOutages({
  app: 'console',
  dependencies: ['events-redis', 'postgres'],
  targets: async () => {
    const events = await redisOutageTarget('events-redis');
    const postgres = await postgresOutageTarget();
    return [
      { ...events, stop: () => events.server.stop() },
      { ...postgres, stop: () => postgres.proxy.stop() },
    ];
  },
  env: (targets) => ({
    EVENTS_REDIS_URL: targets['events-redis'].server?.url ?? '',
    DATABASE_URL: targets.postgres.url ?? '',
    QUEUE_PREFIX: 'outage',
    ...POLAR_NOT_CALLED_ENV,
  }),
});
