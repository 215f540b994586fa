import { fixture, until } from '@nomosly/testing';

export interface Me {
  user: { email: string; name: string | null; restricted: boolean; deletionScheduledFor: string | null };
  workspaces: Array<{ id: string; name: string; role: string }>;
}

/** The Console API as the signed-in person (their token): what the tests check pages against, or set up with. */
export function consoleApi(consoleUrl: string, token: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${consoleUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
  return {
    me: () => call<Me>('GET', '/api/me'),
    async ownWorkspace(): Promise<Me['workspaces'][number]> {
      const own = (await call<Me>('GET', '/api/me')).workspaces.find((workspace) => workspace.role === 'owner');
      if (!own) throw new Error('the signed-in person owns no workspace');
      return own;
    },
    call,
  };
}

/**
 * What a workspace in use shows on every page (so axe and the screenshots see tables and a chart, not only empty
 * states): a key, one call with it through the gateway, recorded by the usage app, and a pending invitation.
 */
export async function putWorkspaceToUse(consoleUrl: string, gatewayUrl: string, token: string): Promise<void> {
  const api = consoleApi(consoleUrl, token);
  const workspace = await api.ownWorkspace();
  const { secret } = await api.call<{ secret: string }>('POST', `/api/workspaces/${workspace.id}/keys`, { name: 'production' });
  const called = await fetch(`${gatewayUrl}/v1/faces/detect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'image/jpeg' },
    body: fixture('grace_hopper.jpg'),
  });
  if (called.status !== 200) throw new Error(`the gateway answered ${called.status}: ${await called.text()}`);
  await api.call('POST', `/api/workspaces/${workspace.id}/members`, { email: `colleague-${workspace.id.slice(0, 8)}@browser.test`, role: 'member' });
  await until(async () => (await api.call<{ items: unknown[] }>('GET', `/api/workspaces/${workspace.id}/requests`)).items.length === 1, {
    what: 'the call in the request log',
    intervalMs: 100,
  });
}
