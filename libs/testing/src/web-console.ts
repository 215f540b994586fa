import { randomUUID } from 'node:crypto';
import { type RunningApp, freePort, startApp } from './app-process';
import { type IdpStandIn, startIdpStandIn } from './identity';
import { type PolarStandIn, startPolarStandIn } from './polar-stand-in';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './services';
import { type TestSystem, startTestSystem } from './system';

/** A schedule that never comes due during a run: the usage app's sweep must not sweep the database every suite shares. */
const ONCE_A_YEAR = '0 0 1 1 *';

/** Everything a person's browser reaches when using the web console, each app its own process on a free port. */
export interface WebConsoleSystem {
  /** The console's origin: the web console at `/`, its API at `/api`. */
  consoleUrl: string;
  /** The public REST API the playground calls (cross-origin, admitted by GATEWAY_CORS_ORIGINS). */
  gatewayUrl: string;
  /** idp-local: its sign-in form has a field Email and a button Sign in. */
  issuerUrl: string;
  /** The email idp-local's form comes filled in with (IDP_DEFAULT_EMAIL): a newcomer of this system's own. */
  defaultEmail: string;
  console: RunningApp;
  usage: RunningApp;
  vision: TestSystem;
  idp: IdpStandIn;
  polar: PolarStandIn;
  /** The billing app taking polar-local's webhooks (a paid checkout moves the plan), when asked for. */
  billing: RunningApp | null;
  /** Every process's output so far, labelled: what a failing browser test prints. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The whole system for browser tests: idp-local (which knows the console's callback), the console (which knows the
 * issuer and the gateway), the gateway and a vision worker with the local engine (which admits the console's
 * origin), the usage app (so a call moves the overview's count) and polar-local (the billing page's Polar).
 * Ports are picked first, because the console, the identity provider and the gateway each need another's address.
 */
export async function startWebConsoleSystem(label: string, options: WebConsoleSystemOptions = {}): Promise<WebConsoleSystem> {
  const [consolePort, idpPort, billingPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const consoleUrl = `http://127.0.0.1:${consolePort}`;
  const proProductId = randomUUID();
  const defaultEmail = `${label}-newcomer-${randomUUID().slice(0, 8)}@browser.test`;
  const [idp, vision, polar] = await allOrStop([
    startIdpStandIn({ env: { PORT: String(idpPort), IDP_CONSOLE_REDIRECT_URIS: `${consoleUrl}/callback`, IDP_DEFAULT_EMAIL: defaultEmail } }),
    startTestSystem({ label, engine: 'local', gatewayEnv: { GATEWAY_CORS_ORIGINS: consoleUrl } }),
    startPolarStandIn({
      products: [{ id: proProductId, name: 'Pro', plan: 'pro', priceAmountCents: 2000, meteredUnitAmountCents: '0.1' }],
      ...(options.billing ? { webhookUrl: `http://127.0.0.1:${billingPort}/webhooks/polar` } : {}),
    }),
  ]);
  const shared = { DATABASE_URL: TEST_DATABASE_URL, EVENTS_REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: vision.prefix, PLANS: vision.env.PLANS };
  const [consoleApp, usage, billing] = await allOrStop([
    startApp(
      'console',
      {
        ...shared,
        OIDC_ISSUER: idp.url,
        OIDC_AUDIENCE: idp.audience,
        CONSOLE_PUBLIC_URL: consoleUrl,
        CONSOLE_GATEWAY_URL: vision.gateway.url,
        POLAR_ACCESS_TOKEN: polar.accessToken,
        POLAR_SERVER_URL: polar.url,
        POLAR_PRODUCTS: JSON.stringify({ pro: proProductId }),
      },
      { port: consolePort },
    ),
    startApp('usage', { ...shared, USAGE_BATCH_WAIT_MS: '20', RETENTION_SWEEP_CRON: ONCE_A_YEAR }),
    options.billing
      ? startApp(
          'billing',
          {
            ...shared,
            POLAR_ACCESS_TOKEN: polar.accessToken,
            POLAR_SERVER_URL: polar.url,
            POLAR_WEBHOOK_SECRET: polar.webhookSecret,
            POLAR_PRODUCTS: JSON.stringify({ pro: proProductId }),
            // It takes the webhooks only: the ledger's usage is other suites' too, and no reconciliation is due.
            BILLING_SEND_USAGE: 'false',
            BILLING_RECONCILE_CRON: '',
          },
          { port: billingPort },
        )
      : Promise.resolve(NOT_STARTED),
  ], [idp, vision, polar]);
  const billingApp = billing === NOT_STARTED ? null : (billing as RunningApp);
  return {
    consoleUrl,
    gatewayUrl: vision.gateway.url,
    issuerUrl: idp.url,
    defaultEmail,
    console: consoleApp,
    usage,
    vision,
    idp,
    polar,
    billing: billingApp,
    logs: () =>
      [
        ['console', consoleApp.logs()],
        ['gateway', vision.gateway.logs()],
        ['vision-worker', vision.worker?.logs() ?? ''],
        ['usage', usage.logs()],
        ['idp-local', idp.logs()],
        ['polar-local', polar.logs()],
        ['billing', billingApp?.logs() ?? ''],
      ]
        .map(([name, text]) => `--- ${name}\n${text}`)
        .join('\n'),
    stop: async () => {
      await Promise.all([consoleApp.stop(), usage.stop(), billingApp?.stop(), vision.stop(), idp.stop(), polar.stop()]);
    },
  };
}

export interface WebConsoleSystemOptions {
  /** Also the billing app, with polar-local's webhooks sent to it: a checkout confirmed there changes the plan. */
  billing?: boolean;
}

/** The billing app's place when it is not asked for. */
const NOT_STARTED: Stoppable = { stop: async () => undefined };

interface Stoppable {
  stop(): Promise<void>;
}

/** Like Promise.all, but when one start fails, what did start (and `running`) is stopped: no process outlives the test. */
async function allOrStop<T extends readonly Promise<Stoppable>[] | []>(
  starts: T,
  running: Stoppable[] = [],
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = (await Promise.allSettled(starts)) as PromiseSettledResult<Stoppable>[];
  const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length > 0) {
    const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    await Promise.all([...started, ...running].map((process) => process.stop()));
    throw failures[0];
  }
  return settled.map((result) => (result as PromiseFulfilledResult<Stoppable>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
