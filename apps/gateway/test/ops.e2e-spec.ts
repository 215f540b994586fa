import { Client } from 'pg';
import { hashApiKey } from '@nomosly/api-keys';
import { TEST_DATABASE_URL, type TestSystem, fixture, startApp, startTestSystem } from '@nomosly/testing';

const PASSWORD = 'correct-horse-battery-staple';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('gateway: Bull Board at /ops/queues (API.md), admin only, never job payloads', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ label: 'ops', engine: 'null', gatewayEnv: { OPS_PASSWORD: PASSWORD } });
  }, 180_000);
  afterAll(() => system?.stop());

  const board = (path = '', authorization?: string) =>
    fetch(`${system.gateway.url}/ops/queues${path}`, { headers: authorization ? { authorization } : {} });

  it('asks for admin credentials, and refuses wrong ones', async () => {
    for (const authorization of [undefined, basic('admin', 'wrong-password-here'), basic('root', PASSWORD), `Bearer ${system.key}`]) {
      const response = await board('', authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
    const api = await board('/api/queues');
    expect(api.status).toBe(401);
  });

  it('P5: shows the vision and events queues to the admin, read-only, with every job payload withheld', async () => {
    const page = await board('', basic('admin', PASSWORD));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    const call = await fetch(`${system.gateway.url}/v1/faces/detect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${system.key}`, 'content-type': 'image/png' },
      body: fixture('astronaut.png'),
    });
    expect(call.status).toBe(200);
    const requestId = call.headers.get('x-request-id') as string;

    // No usage app runs here: the call's usage event waits on the events queue.
    const api = await board('/api/queues?activeQueue=events&status=waiting&page=1', basic('admin', PASSWORD));
    expect(api.status).toBe(200);
    const text = await api.text();
    const { queues } = JSON.parse(text) as { queues: Array<{ name: string; readOnlyMode: boolean; jobs: Array<{ id: string; data: unknown }> }> };
    expect(queues.map((queue) => queue.name).sort()).toEqual(['events', 'vision']);
    expect(queues.every((queue) => queue.readOnlyMode)).toBe(true);
    const events = queues.find((queue) => queue.name === 'events');
    const usageJob = events?.jobs.find((job) => job.id.includes(requestId) && job.id.startsWith('usage.recorded'));
    expect(usageJob?.data).toBe('(not shown)');
    // Nothing of the event's payload reaches the page: not the workspace, the key, or the user.
    const [{ workspace_id: workspaceId }] = await workspaceOf(system.key);
    expect(text).not.toContain(workspaceId);
  });

  it('is not served at all when no ops password is configured', async () => {
    const plain = await startApp('gateway', system.env);
    try {
      const response = await fetch(`${plain.url}/ops/queues`, { headers: { authorization: basic('admin', PASSWORD) } });
      expect(response.status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});

async function workspaceOf(key: string): Promise<Array<{ workspace_id: string }>> {
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    return (await db.query('select workspace_id from api_keys where hash = $1', [hashApiKey(key)])).rows;
  } finally {
    await db.end();
  }
}
