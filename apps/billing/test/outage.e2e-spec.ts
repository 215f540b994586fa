import { describeOutages, postgresOutageTarget, redisOutageTarget } from '@nomosly/testing';

describeOutages({
  app: 'billing',
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
    POLAR_ACCESS_TOKEN: 'polar_oat_outage_test',
    POLAR_SERVER_URL: 'http://127.0.0.1:9',
    POLAR_WEBHOOK_SECRET: 'whsec_outage_test_secret',
    BILLING_RECONCILE_CRON: '',
    BILLING_SEND_USAGE: 'false',
  }),
});
