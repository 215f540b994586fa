import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TEST_DATABASE_URL, TEST_REDIS_URL, type TestIssuer, dumpPostgres, dumpRedis, startTestIssuer } from '@nomosly/testing';
import { createConsole } from '../src/bootstrap';
import { loadConsoleConfig } from '../src/config';
import { type ApiResponse, type ConsoleUnderTest, type TestUser, call, signIn, startConsoleUnderTest } from './helpers';

describe('P3: API key secrets are shown once and stored only as hashes', () => {
  let system: ConsoleUnderTest;
  beforeAll(async () => {
    system = await startConsoleUnderTest();
  });
  afterAll(() => system?.stop());

  it('P3: a created or rotated secret is in no table, no Redis value, no console log line and no later response', async () => {
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

    const later: ApiResponse[] = [
      await user.call('GET', keys),
      await user.call('POST', `${keys}/${keyId}/revoke`),
      await user.call('POST', `${keys}/${rotatedId}/revoke`),
      await user.call('GET', '/api/me'),
      await user.call('GET', `/api/workspaces/${user.workspaceId}/limits`),
      await user.call('GET', `/api/workspaces/${user.workspaceId}/members`),
    ];
    expect(later.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);

    const stores: Record<string, string> = {
      postgres: await dumpPostgres(TEST_DATABASE_URL),
      redis: (await dumpRedis(TEST_REDIS_URL)).toString('latin1'),
      'console logs': system.console.logs(),
      'later responses': later.map((response) => response.text).join('\n'),
    };
    expect(stores.postgres).toContain(keyId);
    for (const [store, text] of Object.entries(stores)) {
      for (const shown of [secret, rotatedSecret]) {
        // The part after the public prefix is the secret proper: it must be nowhere, whole or without the prefix.
        expect({ store, found: text.includes(shown.slice(12)) }).toEqual({ store, found: false });
      }
    }
  });
});

describe('P11: a workspace is visible only to its members', () => {
  let issuer: TestIssuer;
  let app: NestFastifyApplication;
  let url: string;
  const routes: Array<{ method: string; url: string }> = [];

  beforeAll(async () => {
    issuer = await startTestIssuer();
    const config = loadConsoleConfig({
      DATABASE_URL: TEST_DATABASE_URL,
      EVENTS_REDIS_URL: TEST_REDIS_URL,
      OIDC_ISSUER: issuer.issuer,
      OIDC_AUDIENCE: issuer.audience,
      LOG_LEVEL: 'warn',
    });
    app = await createConsole(config, new Writable({ write: (_chunk, _encoding, done) => done() }));
    // Every route the app registers, as Fastify sees it: the sweep below covers routes added later too.
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) routes.push({ method, url: route.url });
      });
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
      b.call('GET', '/api/me'),
      b.call('GET', '/api/me/invitations'),
    ]);
    return bodies.map((response) => response.body);
  }

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

    const apiRoutes = routes.filter((route) => route.url.startsWith('/api/'));
    expect(apiRoutes.length).toBeGreaterThanOrEqual(16);
    // Routes without ids concern the caller alone; every other route names a workspace, or something addressed to the caller.
    expect([...new Set(apiRoutes.filter((route) => !route.url.includes(':')).map((route) => route.url))].sort()).toEqual(['/api/me', '/api/me/invitations']);
    const routesWithIds = apiRoutes.filter((route) => route.url.includes(':'));
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
