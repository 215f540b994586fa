import { TEST_DATABASE_URL, TEST_REDIS_URL, uniquePrefix } from '@nomosly/testing';

/**
 * A billing app that only takes Polar's webhooks, on the shared test database: it calls no Polar route (nothing
 * listens at its POLAR_SERVER_URL) and sends no usage, which would take other suites' ledger rows. `products` maps
 * plans to the product ids the test's payloads name; `extra` overrides.
 */
export function webhookReceiverEnv(secret: string, products: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: TEST_DATABASE_URL,
    EVENTS_REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniquePrefix('webhooks'),
    POLAR_ACCESS_TOKEN: 'polar_oat_webhooks_test',
    POLAR_SERVER_URL: 'http://127.0.0.1:9',
    POLAR_WEBHOOK_SECRET: secret,
    POLAR_PRODUCTS: JSON.stringify(products),
    BILLING_RECONCILE_CRON: '',
    BILLING_SEND_USAGE: 'false',
    ...extra,
  };
}
