import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { API_KEY_COLUMNS } from '@nomosly/db';
import { TEST_DATABASE_URL, TEST_REDIS_URL, type TestIssuer, containsMarker, dumpPostgres, dumpRedis, startTestIssuer } from '@nomosly/testing';
import { type ConsoleUnderTest, type TestUser, call, signIn, startConsoleUnderTest } from './helpers';
import { type PolarForConsole, startPolarForConsole } from './polar';
import { walkEveryRoute } from './route-walk';
import { type ConsoleRoute, apiRoutes, consoleRecordingRoutes, isApiReference, registeredApiRoutes } from './routes';

describe('P3: API key secrets are shown once and stored only as hashes', () => {
  let polar: PolarForConsole;
  let system: ConsoleUnderTest;
  let routes: ConsoleRoute[];
  beforeAll(async () => {
    // The walk calls the billing routes for real: checkout and portal reach Polar (the stand-in).
    polar = await startPolarForConsole();
    system = await startConsoleUnderTest(polar.env);
    routes = await registeredApiRoutes(system.issuer);
  }, 180_000);
  afterAll(async () => {
    await system?.stop();
    await polar?.stop();
  });

  it('P3: the api_keys table has exactly the documented metadata columns and the hash, nothing else', async () => {
    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query<{ column_name: string }>(
        "select column_name from information_schema.columns where table_schema = 'public' and table_name = 'api_keys'",
      );
      expect(rows.map((row) => row.column_name).sort()).toEqual([...API_KEY_COLUMNS].sort());
    } finally {
      await db.end();
    }
  });

  it('P3: a created or rotated secret, as text, base64 or hex, is in no table, no Redis value, no console log line and no answer of any /api route', async () => {
    const user = await signIn(system.console.url, system.issuer, 'p3');
    const keys = `/api/workspaces/${user.workspaceId}/keys`;
    const created = await user.call('POST', keys, { name: 'p3' });
    const secret = created.body.secret as string;
    const keyId = (created.body.key as { id: string }).id;
    expect(created.text.split(secret).length - 1).toBe(1);

    const rotated = await user.call('POST', `${keys}/${keyId}/rotate`, { overlapSeconds: 60 });
    const rotatedSecret = rotated.body.secret as string;
    const rotatedId = (rotated.body.key as { id: string }).id;
    expect(rotatedSecret).toMatch(/^nk_live_/);
    expect(rotated.text).not.toContain(secret);
    // Every route the console registers, in the order GET first: each answer is searched.
    const walked = await walkEveryRoute(system.console.url, system.issuer, user, routes, rotatedId);
    // 18 routes today (API.md's console table); more later, never fewer unnoticed.
    expect(walked.length).toBeGreaterThanOrEqual(18);
    expect(walked.filter((answer) => answer.status !== answer.expected).map(({ call, status, text }) => ({ call, status, text }))).toEqual([]);
    expect(walked.map((answer) => answer.call).sort()).toEqual(
      routes.filter((route) => route.method !== 'HEAD').map((route) => `${route.method} ${route.url}`).sort(),
    );

    const stores: Record<string, Buffer | string> = {
      postgres: await dumpPostgres(TEST_DATABASE_URL),
      redis: await dumpRedis(TEST_REDIS_URL),
      'console logs': system.console.logs(),
      ...Object.fromEntries(walked.map((answer) => [answer.call, answer.text])),
    };
    expect(stores.postgres).toContain(keyId);
    const found = Object.entries(stores).flatMap(([store, text]) =>
      // The secret proper (after its public 12-character prefix) as text, hex or base64(url) at any alignment.
      [secret, rotatedSecret].filter((shown) => containsMarker(text, Buffer.from(shown.slice(12)))).map((shown) => `${store}: ${shown.slice(0, 12)}`),
    );
    expect(found).toEqual([]);
  });
});

describe('P11: a workspace is visible only to its members', () => {
  let issuer: TestIssuer;
  let app: NestFastifyApplication;
  let url: string;
  let routes: ConsoleRoute[];

  beforeAll(async () => {
    issuer = await startTestIssuer();
    // The sweep below covers every route the app registers, routes added later too.
    ({ app, routes } = await consoleRecordingRoutes(issuer));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.stop();
  });

  /** Everything of B's that its members can read. */
  async function snapshotOf(b: TestUser) {
    const ws = `/api/workspaces/${b.workspaceId}`;
    const bodies = await Promise.all([
      b.call('GET', `${ws}/keys`),
      b.call('GET', `${ws}/members`),
      b.call('GET', `${ws}/limits`),
      b.call('GET', `${ws}/billing`),
      b.call('GET', '/api/me'),
      b.call('GET', '/api/me/invitations'),
    ]);
    return bodies.map((response) => response.body);
  }

  it('P11: every /api route but the public ones answers 401 unauthenticated without a valid token, and changes nothing', async () => {
    const b = await signIn(url, issuer, 'p11-anon');
    await b.call('POST', `/api/workspaces/${b.workspaceId}/keys`, { name: 'b-key', dailyLimit: 5 });
    const before = await snapshotOf(b);
    const claims = { sub: `p11-anon-${randomUUID()}`, email: b.email, email_verified: true };
    const badTokens: Array<[string, string | null]> = [
      ['no token', null],
      ['not a JWT', 'not-a-token'],
      ['forged', await issuer.token(claims, { foreignKey: true })],
      ['expired', await issuer.token(claims, { expiresIn: -60 })],
      ['for another audience', await issuer.token(claims, { audience: 'https://elsewhere.example' })],
    ];
    // Public by design: the privacy notice, the web console's client config and the API reference.
    const isPublic = (route: ConsoleRoute) => isApiReference(route) || route.url === '/api/privacy' || route.url === '/api/client-config';
    const guarded = apiRoutes(routes).filter((route) => !isPublic(route) && route.method !== 'HEAD');
    expect(guarded.length).toBeGreaterThanOrEqual(20);
    const ids: Record<string, string> = { ws: b.workspaceId, id: randomUUID(), userId: b.userId, invitationId: randomUUID() };
    const body = { name: 'anon', email: 'anon@console.test', role: 'owner', monthlySpendCapCents: 0, overlapSeconds: 0, scopes: ['faces:detect'] };
    const answers: Array<{ call: string; status: number; code?: string }> = [];
    for (const route of guarded) {
      const path = route.url.replace(/:(\w+)/g, (_, name: string) => {
        if (!(name in ids)) throw new Error(`the sweep does not know route parameter :${name} (${route.url})`);
        return ids[name];
      });
      for (const [what, token] of badTokens) {
        const response = await call(url, token, route.method, path, route.method === 'GET' || route.method === 'DELETE' ? undefined : body);
        answers.push({ call: `${route.method} ${path} (${what})`, status: response.status, code: response.body.error?.code });
      }
    }
    expect(answers.filter((answer) => answer.status !== 401 || answer.code !== 'unauthenticated')).toEqual([]);
    expect(await snapshotOf(b)).toEqual(before);
  });

  it('P11: every /api route called with another workspace\'s ids answers 404 not_found and changes nothing', async () => {
    const a = await signIn(url, issuer, 'p11-a');
    const b = await signIn(url, issuer, 'p11-b');
    const bKey = await b.call('POST', `/api/workspaces/${b.workspaceId}/keys`, { name: 'b-key', dailyLimit: 5 });
    await b.call('PUT', `/api/workspaces/${b.workspaceId}/limits`, { monthlySpendCapCents: 700 });
    // B's pending invitation of someone else: A can neither see, withdraw nor accept it.
    const bInvitation = await b.call('POST', `/api/workspaces/${b.workspaceId}/members`, { email: `p11-c-${randomUUID().slice(0, 8)}@console.test`, role: 'owner' });
    expect(bInvitation.status).toBe(201);
    const ids: Record<string, string> = {
      id: (bKey.body.key as { id: string }).id,
      userId: b.userId,
      invitationId: (bInvitation.body.invitation as { id: string }).id,
    };
    const before = await snapshotOf(b);

    // The API reference (the document, its page and Swagger UI's files) is the same for everyone: nothing to sweep.
    const everyRoute = apiRoutes(routes).filter((route) => !isApiReference(route));
    expect(everyRoute.length).toBeGreaterThanOrEqual(16);
    // Routes without ids concern the caller alone (or no one: the privacy notice, the web console's client config); every other route names a workspace, or something addressed to the caller.
    expect([...new Set(everyRoute.filter((route) => !route.url.includes(':')).map((route) => route.url))].sort()).toEqual([
      '/api/client-config',
      '/api/me',
      '/api/me/deletion',
      '/api/me/export',
      '/api/me/invitations',
      '/api/me/restriction',
      '/api/privacy',
    ]);
    const routesWithIds = everyRoute.filter((route) => route.url.includes(':'));
    expect(routesWithIds.filter((route) => !route.url.startsWith('/api/workspaces/:ws')).map((route) => route.url)).toEqual([
      '/api/me/invitations/:invitationId/accept',
    ]);

    // Whatever a route could want in its body, valid: the refusal must come from whose workspace it is.
    const body = { name: 'p11', email: a.email, role: 'owner', monthlySpendCapCents: 0, overlapSeconds: 0, scopes: ['faces:detect'] };
    const answers: Array<{ call: string; status: number; code?: string }> = [];
    for (const route of routesWithIds) {
      const attempts = [{ ws: b.workspaceId, ...ids }];
      // Also the caller's own workspace with B's key, member and invitation ids.
      if (route.url.includes(':ws') && /:(?!ws\b)/.test(route.url)) attempts.push({ ws: a.workspaceId, ...ids });
      // And B's workspace with the caller's own user id: the "or the member themself" way in (OwnerOrSelf) is no way into B.
      const withOwnUserId: Record<string, string> = { ...ids, userId: a.userId };
      if (route.url.includes(':userId')) attempts.push({ ws: b.workspaceId, ...withOwnUserId });
      for (const params of attempts) {
        const path = route.url.replace(/:(\w+)/g, (_, name: string) => {
          if (!(name in params)) throw new Error(`the P11 sweep does not know route parameter :${name} (${route.url})`);
          return params[name as keyof typeof params];
        });
        const withBody = route.method !== 'GET' && route.method !== 'HEAD' && route.method !== 'DELETE' && params.ws === b.workspaceId;
        const response = await call(url, a.token, route.method, path, withBody ? body : undefined);
        answers.push({
          call: `${route.method} ${path}`,
          status: response.status,
          code: route.method === 'HEAD' ? 'not_found' : response.body.error?.code,
        });
      }
    }
    expect(answers.length).toBeGreaterThanOrEqual(routesWithIds.length);
    expect(answers.filter((answer) => answer.status !== 404 || answer.code !== 'not_found')).toEqual([]);
    expect(await snapshotOf(b)).toEqual(before);
  });
});
