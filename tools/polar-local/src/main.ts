import { z } from 'zod';
import { env, loadConfig } from '@nomosly/config';
import { plansEnv } from '@nomosly/limits';
import { consoleShutdownLog, stopOnSignals } from '@nomosly/observability';
import { faultFromEnv } from './faults';
import { seedsFromPlans } from './seeds';
import { startPolarLocal } from './server';

const productSeed = z.object({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  plan: z.string().min(1),
  priceAmountCents: z.number().int().nonnegative().optional(),
  meteredUnitAmountCents: z.string().regex(/^\d+(\.\d+)?$/),
});
const PRODUCTS_SHAPE = 'a JSON array of {name, plan, meteredUnitAmountCents: "0.1", priceAmountCents?, id?}';

/** `npm run polar-local`: the Polar stand-in on its own, for `npm start` and end-to-end tests. */
async function main(): Promise<void> {
  const config = loadConfig(
    z.object({
      PORT: env.port(4466),
      HOST: env.host('127.0.0.1'),
      SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(),
      POLAR_ACCESS_TOKEN: z.string({ message: 'expected the access token clients send as a bearer token' }).min(1),
      POLAR_WEBHOOK_SECRET: z.string({ message: 'expected a webhook secret starting with whsec_' }).startsWith('whsec_', 'expected a webhook secret starting with whsec_'),
      POLAR_WEBHOOK_URL: z.url({ message: 'expected the http URL webhooks are posted to' }).optional(),
      POLAR_LOCAL_SECRET_FORMAT: z.enum(['standard', 'legacy'], { message: 'expected standard or legacy' }).default('standard'),
      POLAR_LOCAL_FAULT: z.enum(['none', '500', '503', '429', 'hang'], { message: 'expected none, 500, 503, 429 or hang' }).default('none'),
      POLAR_LOCAL_RETRY_AFTER: env.positiveInt(1),
      POLAR_LOCAL_PRODUCTS: z
        .string()
        .optional()
        .transform((text, context) => {
          if (text === undefined || text.trim() === '') return undefined;
          try {
            return z.array(productSeed).parse(JSON.parse(text));
          } catch {
            context.addIssue({ code: 'custom', message: `expected ${PRODUCTS_SHAPE}` });
            return z.NEVER;
          }
        }),
      PLANS: plansEnv(),
    }),
  );
  const polar = await startPolarLocal({
    accessToken: config.POLAR_ACCESS_TOKEN,
    webhookSecret: config.POLAR_WEBHOOK_SECRET,
    webhookUrl: config.POLAR_WEBHOOK_URL,
    secretFormat: config.POLAR_LOCAL_SECRET_FORMAT,
    port: config.PORT,
    host: config.HOST,
    products: config.POLAR_LOCAL_PRODUCTS ?? seedsFromPlans(config.PLANS),
    fault: faultFromEnv(config.POLAR_LOCAL_FAULT, config.POLAR_LOCAL_RETRY_AFTER) ?? { mode: 'none' },
  });
  console.log(`polar-local ${polar.url}`);
  stopOnSignals({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, log: consoleShutdownLog('polar-local'), stop: () => polar.close() });
}

main().catch((error: Error) => {
  console.error(`polar-local: ${error.message}`);
  process.exit(1);
});
