import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { MikroORM } from '@mikro-orm/postgresql';
import { z } from 'zod';
import Redis from 'ioredis';
import { ALL_SCOPES, DEV_CLI_CLIENT_SECRET, isScope, publishKeyEvent, type Scope } from '@nomosly/contracts';
import { env, loadConfig } from '@nomosly/config';
import { ApiKey, Membership, User, ormConfig } from '@nomosly/db';
import { normalizeEmail, provisionKey } from '@nomosly/accounts';
import { Plans, plansEnv } from '@nomosly/limits';
import { billingReconcile } from './billing-reconcile/billing-reconcile';
import { NotLocalIssuerError, requestDevToken } from './dev-token/dev-token';
import { privacyAudit } from './privacy-audit/privacy-audit';

const HELP = `nomosly admin CLI

Usage: npm run cli -- <command> [options]

Commands:
  keys create --email <email> [--workspace <id>] [--name <name>] [--scopes a,b] [--daily-limit n] [--replace]
      Creates an API key; the secret is printed once, alone on the last line.
      Without --workspace: for a user who has never signed in to the console, created with a
      personal workspace if needed (their first sign-in with that email verified claims it).
      Refused when someone already signs in with that email: an email does not say whose
      workspace the key is for, so name it with --workspace <id> (that user must be a member).
      Refused when the workspace already has its plan's maxActiveKeys active keys (revoke one
      first). --replace revokes your user's unrevoked keys of the same name in that workspace
      first (never another member's), and once that is committed tells every gateway on
      EVENTS_REDIS_URL, which refuse the old keys within a second.
      Scopes: ${ALL_SCOPES.join(', ')} (default: all).
  keys list --email <email>
      Lists the keys of the user's workspaces (prefix, name, scopes, state). Never prints secrets.
      The user is the one who signs in with that email verified, or else the one made by keys
      create who has never signed in; accounts with that email unverified are never listed.
  dev-token --email <email> [--name <name>]
      Development and tests only: asks the local identity provider stand-in (npm run idp-local) for a
      console API access token for that user, printed alone on the last line. Refused when OIDC_ISSUER
      is not on this machine (a production identity provider).
  privacy-audit
      Checks the deployment the environment names, from outside, against the promises it can check: prints a
      header, one line per check (PASS, FAIL or CANNOT CHECK, the promise id and the reason) and a RESULT line.
      Exit code 0 when every check passes, 1 when one fails or could not be made, 2 when a store is unreachable.
  billing-reconcile [--dry-run]
      Queues a reconciliation with Polar for the billing app to run (the one it runs daily), waits for it and
      prints each workspace's units in the current meter period (ours, Polar's, the drift, the records re-sent).
      --dry-run re-sends nothing and records nothing. Exit code 1 when the run failed.
  --help
      Shows this text.

Environment:
  DATABASE_URL (keys; default postgres://postgres@127.0.0.1:5432/nomosly)
  PLANS (keys create: the plan table the console and gateways use, for maxActiveKeys)
  EVENTS_REDIS_URL (keys create --replace: the gateways' events Redis; default redis://127.0.0.1:6379)
  OIDC_ISSUER (dev-token; default http://127.0.0.1:4455)
  OIDC_AUDIENCE (dev-token; default https://api.nomosly.local)
  IDP_CLI_CLIENT_SECRET (dev-token; default ${DEV_CLI_CLIENT_SECRET})
  billing-reconcile: the billing app's EVENTS_REDIS_URL and QUEUE_PREFIX; BILLING_RECONCILE_WAIT_MS (default 600000)
  privacy-audit: the apps' own DATABASE_URL, VISION_REDIS_URL, EVENTS_REDIS_URL, QUEUE_PREFIX, VISION_DEADLINE_MS,
  RETENTION_REQUEST_LOG_DAYS, RETENTION_USAGE_RECORD_DAYS, RETENTION_ROLLUP_DAYS, RETENTION_INVITATION_DAYS, and
  VISION_REDIS_PERSISTENCE_CHECKED=true (or 1) when the operator has checked a vision Redis that refuses CONFIG
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (group === 'dev-token') return devToken(argv.slice(1));
  if (group === 'privacy-audit') {
    if (argv.length > 1) throw new UsageError('privacy-audit takes no options: it reads the environment');
    process.exitCode = await privacyAudit((line) => console.log(line));
    return;
  }
  if (group === 'billing-reconcile') {
    const { values } = parseArgs({ args: argv.slice(1), options: { 'dry-run': { type: 'boolean' } }, strict: true });
    await billingReconcile(values['dry-run'] === true, (line) => console.log(line));
    return;
  }
  if (group !== 'keys' || (command !== 'create' && command !== 'list')) {
    throw new UsageError(`unknown command "${[group, command].filter(Boolean).join(' ')}"`);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      workspace: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      'daily-limit': { type: 'string' },
      replace: { type: 'boolean' },
    },
    strict: true,
  });
  const email = z.email().safeParse(values.email?.trim());
  if (!email.success) throw new UsageError('--email <email> is required and must be an email address');

  const config = loadConfig(
    z.object({
      DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/nomosly'),
      PLANS: plansEnv(),
      EVENTS_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
    }),
  );
  const orm = await MikroORM.init({ ...ormConfig({ url: config.DATABASE_URL, poolSize: 2 }), allowGlobalContext: true });
  try {
    if (command === 'create') {
      const plans = new Plans(config.PLANS, (message) => console.error(`cli: ${message}`));
      const created = await provisionKey(
        orm.em.fork(),
        {
          email: email.data,
          name: values.name?.trim() || 'default',
          scopes: parseScopes(values.scopes),
          dailyLimit: parseDailyLimit(values['daily-limit']),
          workspaceId: values.workspace?.trim(),
          replace: values.replace ?? false,
        },
        plans,
      );
      await announceReplaced(config.EVENTS_REDIS_URL, created.replaced);
      console.log(`user      ${created.user.email}${created.createdUser ? ' (created)' : ''}`);
      console.log(`workspace ${created.workspace.id} ${created.workspace.name}`);
      console.log(`key       ${created.key.prefix}… "${created.key.name}" scopes ${created.key.scopes.join(',')}`);
      console.log('The secret below is shown once; store it now.');
      console.log(created.secret);
    } else {
      const em = orm.em.fork();
      // Accounts may share an address (an unverified one is no proof): only its verified holder's keys, or else
      // those of the user the CLI made for it who has never signed in; never several people's merged.
      const address = normalizeEmail(email.data);
      const users = em.getRepository(User);
      const user = (await users.findByVerifiedEmail(address)) ?? (await users.findUnclaimedByEmail(address));
      const memberships = user ? await em.find(Membership, { user }) : [];
      const keys = await em.find(
        ApiKey,
        { workspace: { $in: memberships.map((membership) => membership.workspace.id) } },
        { orderBy: { createdAt: 'asc' } },
      );
      for (const key of keys) {
        const state = key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt < new Date() ? 'expired' : 'active';
        console.log(`${key.prefix}…  ${state.padEnd(7)}  ${key.scopes.join(',').padEnd(56)}  ${key.name}`);
      }
      if (keys.length === 0) console.log('no keys');
    }
  } finally {
    await orm.close(true);
  }
}

/**
 * Tells every gateway, on the events Redis the console announces on, that the keys --replace revoked have changed,
 * so that none serves one from its cache (P3). Called after the revocation has committed. A failure is reported
 * on stderr, not thrown: the new key exists and its secret must still be printed; gateways then refuse the old
 * keys when their cache entries expire (KEY_CACHE_TTL_MS).
 */
async function announceReplaced(eventsRedisUrl: string, hashes: readonly string[]): Promise<void> {
  if (hashes.length === 0) return;
  const redis = new Redis(eventsRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    for (const hash of hashes) await publishKeyEvent(redis, { type: 'key', hash });
  } catch (error) {
    console.error(
      `cli: the replaced keys are revoked, but the gateways were not told (${(error as Error).message}); they refuse them once their key cache expires (KEY_CACHE_TTL_MS).`,
    );
  } finally {
    redis.disconnect();
  }
}

async function devToken(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' } }, strict: true });
  const email = z.email().safeParse(values.email?.trim());
  if (!email.success) throw new UsageError('--email <email> is required and must be an email address');
  const config = loadConfig(
    z.object({
      OIDC_ISSUER: env.url(['http', 'https'], 'http://127.0.0.1:4455'),
      OIDC_AUDIENCE: env.url(['http', 'https'], 'https://api.nomosly.local'),
      IDP_CLI_CLIENT_SECRET: z.string().min(1, 'expected a non-empty secret').default(DEV_CLI_CLIENT_SECRET),
    }),
  );
  const token = await requestDevToken({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    clientSecret: config.IDP_CLI_CLIENT_SECRET,
    email: email.data,
    name: values.name?.trim() || undefined,
  });
  console.log(`access token for ${email.data} from ${config.OIDC_ISSUER}, valid for ${token.expiresIn} s:`);
  console.log(token.accessToken);
}

function parseScopes(raw: string | undefined): Scope[] {
  if (raw === undefined) return [...ALL_SCOPES];
  const scopes = raw.split(',').map((scope) => scope.trim()).filter(Boolean);
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (scopes.length === 0 || unknown.length) {
    throw new UsageError(`--scopes takes a comma-separated list of ${ALL_SCOPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  return [...new Set(scopes)] as Scope[];
}

function parseDailyLimit(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError('--daily-limit takes a whole number of at least 1');
  return value;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`cli: ${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (error instanceof NotLocalIssuerError) {
    console.error(`cli: ${error.message}`);
    process.exit(2);
  }
  console.error(`cli: ${(error as Error).message}`);
  process.exit(1);
});
