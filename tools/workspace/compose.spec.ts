import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { retentionEnv } from '@nomosly/contracts';
import { billingConfigSchema } from '../../apps/billing/src/config';
import { consoleConfigSchema } from '../../apps/console/src/config';
import { gatewayConfigSchema } from '../../apps/gateway/src/config';
import { corsOriginsOf } from '../../apps/gateway/src/cors/cors-origins';
import { usageConfigSchema } from '../../apps/usage/src/config';
import { workerConfigSchema } from '../../apps/vision-worker/src/config';
import { idpConfigSchema } from '../../tools/idp-local/src/config';
import { productIdFor } from '../../tools/polar-local/src/server';

const root = path.resolve(__dirname, '../..');
interface Service {
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
}
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

/** What a service's process sees: its image's `ENV` lines (last stage), then the compose file's environment. */
function effectiveEnvironment(name: string): Record<string, string> {
  const service = compose.services[name];
  const image: Record<string, string> = {};
  if (service?.build) {
    const dockerfile = readFileSync(path.join(root, service.build.dockerfile), 'utf8');
    const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    for (const [, pairs] of lastStage.matchAll(/^ENV\s+(.+)$/gm)) {
      for (const pair of pairs.trim().split(/\s+/)) image[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
    }
  }
  return { ...image, ...service?.environment };
}

/** Apps that run as services: every app project with a Dockerfile. */
const deployedApps = readdirSync(path.join(root, 'apps')).filter((app) => existsSync(path.join(root, 'apps', app, 'Dockerfile')));

describe('docker-compose.yml describes the same system', () => {
  it('names every deployable app as a service built from its own Dockerfile', () => {
    expect(deployedApps.sort()).toEqual(['billing', 'console', 'gateway', 'usage', 'vision-worker']);
    for (const app of deployedApps) {
      expect(compose.services[app]?.build).toEqual({ context: '.', dockerfile: `apps/${app}/Dockerfile` });
    }
  });

  it('runs the vision Redis without persistence, capped and never evicting, and the events Redis with AOF', () => {
    const vision = compose.services['redis-vision']?.command?.join(' ');
    expect(vision).toContain('--save  --appendonly no --slowlog-log-slower-than -1');
    expect(vision).toMatch(/--maxmemory \d+[kmg]b --maxmemory-policy noeviction/);
    expect(compose.services['redis-events']?.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(compose.services.postgres).toBeDefined();
  });

  it('points the gateway at the events Redis for its limits and key events', () => {
    expect(compose.services.gateway?.environment?.EVENTS_REDIS_URL).toBe('redis://redis-events:6379');
    expect(compose.services.gateway?.depends_on?.['redis-events']?.condition).toBe('service_healthy');
  });

  it('migrates once, before the gateway, the console and the usage app start', () => {
    expect(compose.services.migrate?.command).toEqual(['node', 'dist/libs/db/src/bin/migrate.js']);
    expect(compose.services.gateway?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(compose.services.console?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(compose.services.usage?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
  });

  it('gives the usage app an environment its config schema accepts, consuming events from the events Redis', () => {
    const environment = compose.services.usage?.environment ?? {};
    expect(usageConfigSchema.safeParse(environment).success).toBe(true);
    const known = Object.keys(usageConfigSchema.shape);
    expect(Object.keys(environment).filter((name) => !known.includes(name))).toEqual([]);
    expect(environment.EVENTS_REDIS_URL).toBe('redis://redis-events:6379');
    expect(environment.QUEUE_PREFIX).toBe(compose.services.gateway?.environment?.QUEUE_PREFIX);
    expect(compose.services.usage?.depends_on?.['redis-events']?.condition).toBe('service_healthy');
  });

  it.each([
    ['gateway', gatewayConfigSchema],
    ['vision-worker', workerConfigSchema],
  ] as const)('gives %s an environment its config schema accepts, with no unknown variable', (app, schema) => {
    const environment = compose.services[app]?.environment ?? {};
    expect(schema.safeParse(environment).success).toBe(true);
    const known = Object.keys(schema.shape);
    expect(Object.keys(environment).filter((name) => !known.includes(name))).toEqual([]);
    expect(environment.VISION_REDIS_URL).toBe('redis://redis-vision:6379');
  });

  it("lets the console's pages call the gateway from the browser (its playground)", () => {
    const consoleOrigin = new URL(compose.services.console?.environment?.CONSOLE_PUBLIC_URL ?? '').origin;
    const gateway = gatewayConfigSchema.parse(compose.services.gateway?.environment ?? {});
    expect(corsOriginsOf(gateway)).toContain(consoleOrigin);
  });

  it('gives the console an environment its config schema accepts, announcing key changes on the events Redis', () => {
    const environment = compose.services.console?.environment ?? {};
    expect(consoleConfigSchema.safeParse(environment).success).toBe(true);
    const known = Object.keys(consoleConfigSchema.shape);
    expect(Object.keys(environment).filter((name) => !known.includes(name))).toEqual([]);
    expect(environment.EVENTS_REDIS_URL).toBe('redis://redis-events:6379');
  });

  it('gives the billing app an environment its config schema accepts, and the Polar stand-in it is pointed at, which signs webhooks to it', () => {
    const environment = compose.services.billing?.environment ?? {};
    expect(billingConfigSchema.safeParse(environment).success).toBe(true);
    const known = Object.keys(billingConfigSchema.shape);
    expect(Object.keys(environment).filter((name) => !known.includes(name))).toEqual([]);
    expect(environment.EVENTS_REDIS_URL).toBe('redis://redis-events:6379');
    expect(environment.QUEUE_PREFIX).toBe(compose.services.gateway?.environment?.QUEUE_PREFIX);
    expect(compose.services.billing?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    const polar = compose.services['polar-local'];
    expect(polar?.build).toEqual({ context: '.', dockerfile: 'tools/polar-local/Dockerfile' });
    expect(readFileSync(path.join(root, 'tools/polar-local/Dockerfile'), 'utf8')).toContain('dist/tools/polar-local/src/main.js');
    expect(environment.POLAR_SERVER_URL).toBe(`http://polar-local:${polar?.environment?.PORT}`);
    expect(polar?.environment?.POLAR_ACCESS_TOKEN).toBe(environment.POLAR_ACCESS_TOKEN);
    expect(polar?.environment?.POLAR_WEBHOOK_SECRET).toBe(environment.POLAR_WEBHOOK_SECRET);
    expect(polar?.environment?.POLAR_WEBHOOK_URL).toBe(`http://billing:${environment.PORT}/webhooks/polar`);
    // The products the stand-in seeds (one per paid plan) are the ones the billing app maps plans to.
    expect(JSON.parse(environment.POLAR_PRODUCTS ?? '{}')).toEqual({ pro: productIdFor('pro') });
    // The console sells the same products, on the same Polar, for its checkout and portal.
    for (const name of ['POLAR_ACCESS_TOKEN', 'POLAR_SERVER_URL', 'POLAR_PRODUCTS']) {
      expect(compose.services.console?.environment?.[name]).toBe(environment[name]);
    }
  });

  it('P6: gives the console the retention table the usage app sweeps by, which its privacy notice shows', () => {
    const retentionOf = (app: 'console' | 'usage') =>
      Object.fromEntries(Object.keys(retentionEnv).map((name) => [name, compose.services[app]?.environment?.[name]]));
    expect(retentionOf('console')).toEqual(retentionOf('usage'));
  });

  it('runs the local identity provider the console trusts, keeping its signing key on a volume', () => {
    const idp = compose.services['idp-local'];
    expect(idp?.build).toEqual({ context: '.', dockerfile: 'tools/idp-local/Dockerfile' });
    const environment = idp?.environment ?? {};
    expect(idpConfigSchema.safeParse(environment).success).toBe(true);
    expect(Object.keys(environment).filter((name) => !Object.keys(idpConfigSchema.shape).includes(name))).toEqual([]);
    expect(environment.IDP_ISSUER).toBe(compose.services.console?.environment?.OIDC_ISSUER);
    expect(environment.IDP_AUDIENCE).toBe(compose.services.console?.environment?.OIDC_AUDIENCE);
    expect(readFileSync(path.join(root, 'tools/idp-local/Dockerfile'), 'utf8')).toContain('dist/tools/idp-local/src/main.js');
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const published = Object.entries(compose.services).flatMap(([name, service]) => (service.ports ?? []).map((port) => ({ name, port })));
    expect(published.map(({ name }) => name).sort()).toEqual(['billing', 'console', 'gateway', 'idp-local', 'polar-local', 'usage', 'vision-worker']);
    for (const { name, port } of published) expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/) });
  });

  it('says it is a local trial, whose identity provider is the development stand-in', () => {
    const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    expect(text).toMatch(/^# .*LOCAL TRIAL, not a deployment/m);
    expect(text).toMatch(/^# its identity provider is idp-local, the development stand-in/m);
  });

  it('runs the console that trusts idp-local in development, which a production console would refuse to start with', () => {
    const consoleEnv = effectiveEnvironment('console');
    expect(consoleEnv.NODE_ENV).toBe('development');
    expect(consoleConfigSchema.safeParse(consoleEnv).success).toBe(true);
    const asProduction = consoleConfigSchema.safeParse({ ...consoleEnv, NODE_ENV: 'production' });
    expect(asProduction.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['OIDC_ISSUER']);
  });

  it('runs idp-local in development, on the compose network only by IDP_LOCAL_ALLOW_NETWORK=1; never in production', () => {
    const idpEnv = effectiveEnvironment('idp-local');
    expect(idpEnv).toMatchObject({ NODE_ENV: 'development', HOST: '0.0.0.0', IDP_LOCAL_ALLOW_NETWORK: '1' });
    expect(idpConfigSchema.safeParse(idpEnv).success).toBe(true);
    const issuesOf = (environment: Record<string, string>) => idpConfigSchema.safeParse(environment).error?.issues.map((issue) => issue.path.join('.'));
    expect(issuesOf({ ...idpEnv, IDP_LOCAL_ALLOW_NETWORK: '0' })).toEqual(['HOST']);
    expect(issuesOf({ ...idpEnv, NODE_ENV: 'production' })).toEqual(['NODE_ENV', 'IDP_CLI_CLIENT_SECRET']);
  });

  it('gives every app an environment its own schema accepts as its container sees it, and the worker a real engine', () => {
    const schemas = { gateway: gatewayConfigSchema, 'vision-worker': workerConfigSchema, usage: usageConfigSchema, console: consoleConfigSchema };
    for (const [name, schema] of Object.entries(schemas)) {
      const parsed = schema.safeParse(effectiveEnvironment(name));
      expect({ name, issues: parsed.error?.issues ?? [] }).toEqual({ name, issues: [] });
    }
    const workerEnv = effectiveEnvironment('vision-worker');
    expect(workerEnv).toMatchObject({ NODE_ENV: 'production', ENGINE: 'local' });
    expect(workerConfigSchema.safeParse({ ...workerEnv, ENGINE: 'null' }).error?.issues.map((issue) => issue.path.join('.'))).toEqual(['ENGINE']);
  });

  it('builds each Dockerfile from the built dist/ entry point of its app', () => {
    for (const app of deployedApps) {
      const dockerfile = readFileSync(path.join(root, 'apps', app, 'Dockerfile'), 'utf8');
      expect(dockerfile).toContain(`dist/apps/${app}/src/main.js`);
      expect(dockerfile).toMatch(/^FROM node:20/m);
    }
  });
});
