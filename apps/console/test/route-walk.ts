import { randomUUID } from 'node:crypto';
import type { TestIssuer } from '@nomosly/testing';
import { type TestUser, signIn } from './helpers';
import type { ConsoleRoute } from './routes';

export interface WalkedAnswer {
  /** The route, as registered: `METHOD /api/...`. */
  call: string;
  status: number;
  expected: number;
  text: string;
}

/** How to call one route on the caller's own things, validly, so that its answer is a real one. */
type RouteCall = () => Promise<{ path: string; body?: unknown; status: number }>;

/**
 * Calls every route of `routes` (HEAD aside: it has no body) as `user`, GET first, on the user's own workspace
 * and things, with a valid body, and returns each answer. A route without a call here fails the walk: a new
 * route must say how it is called before any test passes.
 */
export async function walkEveryRoute(
  baseUrl: string,
  issuer: TestIssuer,
  user: TestUser,
  routes: readonly ConsoleRoute[],
  keyToRevoke: string,
): Promise<WalkedAnswer[]> {
  const ws = `/api/workspaces/${user.workspaceId}`;
  const today = new Date().toISOString().slice(0, 10);
  const someone = () => `p3-walk-${randomUUID().slice(0, 8)}@console.test`;
  const freshKey = async () => ((await user.call('POST', `${ws}/keys`, { name: 'p3 walk' })).body.key as { id: string }).id;
  const invite = async (by: TestUser, email: string) =>
    ((await by.call('POST', `/api/workspaces/${by.workspaceId}/members`, { email, role: 'member' })).body.invitation as { id: string }).id;
  /** Another person's workspace that `user` has been invited to. */
  const invitedBySomeone = async () => {
    const inviter = await signIn(baseUrl, issuer, 'p3-inviter');
    return { inviter, invitationId: await invite(inviter, user.email) };
  };

  const calls: Record<string, RouteCall> = {
    'GET /api/me': async () => ({ path: '/api/me', status: 200 }),
    'GET /api/me/invitations': async () => ({ path: '/api/me/invitations', status: 200 }),
    'GET /api/me/export': async () => ({ path: '/api/me/export', status: 200 }),
    'GET /api/workspaces/:ws/keys': async () => ({ path: `${ws}/keys`, status: 200 }),
    'GET /api/workspaces/:ws/limits': async () => ({ path: `${ws}/limits`, status: 200 }),
    'GET /api/workspaces/:ws/members': async () => ({ path: `${ws}/members`, status: 200 }),
    'GET /api/workspaces/:ws/usage': async () => ({ path: `${ws}/usage?from=${today}&to=${today}&groupBy=key`, status: 200 }),
    'GET /api/workspaces/:ws/usage.csv': async () => ({ path: `${ws}/usage.csv?from=${today}&to=${today}`, status: 200 }),
    'GET /api/workspaces/:ws/requests': async () => ({ path: `${ws}/requests`, status: 200 }),
    'GET /api/privacy': async () => ({ path: '/api/privacy', status: 200 }),
    'GET /api/client-config': async () => ({ path: '/api/client-config', status: 200 }),
    'GET /api/openapi.json': async () => ({ path: '/api/openapi.json', status: 200 }),
    'GET /api/docs': async () => ({ path: '/api/docs', status: 200 }),
    'GET /api/docs/assets/:file': async () => ({ path: '/api/docs/assets/start.js', status: 200 }),
    'GET /api/workspaces/:ws/billing': async () => ({ path: `${ws}/billing`, status: 200 }),
    'PATCH /api/me': async () => ({ path: '/api/me', body: { name: 'p3 walk' }, status: 200 }),
    // Lifting a restriction the user never set: the walk's later calls are console calls, which it never stops.
    'PUT /api/me/restriction': async () => ({ path: '/api/me/restriction', body: { restricted: false }, status: 200 }),
    // Walked after the POST (registration order), so the walk ends with the countdown cancelled.
    'POST /api/me/deletion': async () => ({ path: '/api/me/deletion', status: 202 }),
    'DELETE /api/me/deletion': async () => ({ path: '/api/me/deletion', status: 204 }),
    'POST /api/workspaces/:ws/keys': async () => ({ path: `${ws}/keys`, body: { name: 'p3 walk' }, status: 201 }),
    'POST /api/workspaces/:ws/keys/:id/revoke': async () => ({ path: `${ws}/keys/${keyToRevoke}/revoke`, status: 200 }),
    'POST /api/workspaces/:ws/keys/:id/rotate': async () => ({ path: `${ws}/keys/${await freshKey()}/rotate`, body: { overlapSeconds: 0 }, status: 201 }),
    'DELETE /api/workspaces/:ws/keys/:id': async () => ({ path: `${ws}/keys/${await freshKey()}`, status: 204 }),
    // These two reach Polar: the walk's console is pointed at polar-local, which sells `pro`.
    'POST /api/workspaces/:ws/billing/checkout': async () => ({ path: `${ws}/billing/checkout`, body: { plan: 'pro' }, status: 201 }),
    'POST /api/workspaces/:ws/billing/portal': async () => ({ path: `${ws}/billing/portal`, status: 201 }),
    'PUT /api/workspaces/:ws/limits': async () => ({ path: `${ws}/limits`, body: { monthlySpendCapCents: null }, status: 200 }),
    'POST /api/workspaces/:ws/members': async () => ({ path: `${ws}/members`, body: { email: someone(), role: 'member' }, status: 201 }),
    'DELETE /api/workspaces/:ws/invitations/:invitationId': async () => ({ path: `${ws}/invitations/${await invite(user, someone())}`, status: 204 }),
    'POST /api/me/invitations/:invitationId/accept': async () => ({
      path: `/api/me/invitations/${(await invitedBySomeone()).invitationId}/accept`,
      status: 200,
    }),
    // The user leaves a workspace they joined.
    'DELETE /api/workspaces/:ws/members/:userId': async () => {
      const { inviter, invitationId } = await invitedBySomeone();
      const accepted = await user.call('POST', `/api/me/invitations/${invitationId}/accept`);
      if (accepted.status !== 200) throw new Error(`could not join a workspace to leave: ${accepted.status} ${accepted.text}`);
      return { path: `/api/workspaces/${inviter.workspaceId}/members/${user.userId}`, status: 204 };
    },
  };

  const walked = routes.filter((route) => route.method !== 'HEAD').sort((a, b) => Number(b.method === 'GET') - Number(a.method === 'GET'));
  const answers: WalkedAnswer[] = [];
  for (const route of walked) {
    const name = `${route.method} ${route.url}`;
    const prepare = calls[name];
    if (!prepare) throw new Error(`the P3 walk does not know how to call ${name}: add it to route-walk.ts`);
    const { path, body, status } = await prepare();
    const response = await user.call(route.method, path, body);
    answers.push({ call: name, status: response.status, expected: status, text: response.text });
  }
  return answers;
}
