import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { productIdFor } from './server';

const main = path.resolve(__dirname, '../../../dist/tools/polar-local/src/main.js');
const baseEnv = { PATH: process.env.PATH ?? '', PORT: '0', POLAR_ACCESS_TOKEN: 'polar_oat_main', POLAR_WEBHOOK_SECRET: `whsec_${Buffer.from('main-spec-secret').toString('base64')}` };

function start(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [main], { env: { ...baseEnv, ...env } });
}

/** The first line the process prints on stdout. */
async function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  let text = '';
  for await (const chunk of child.stdout) {
    text += String(chunk);
    if (text.includes('\n')) return text.split('\n')[0];
  }
  throw new Error(`exited before printing a line: ${text}`);
}

describe('npm run polar-local', () => {
  it('prints its URL, starts with POLAR_LOCAL_FAULT, seeds the paid plans, and stops cleanly on SIGTERM', async () => {
    const child = start({ POLAR_LOCAL_FAULT: '429', POLAR_LOCAL_RETRY_AFTER: '4' });
    try {
      const line = await firstLine(child);
      expect(line).toMatch(/^polar-local http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.split(' ')[1];
      const headers = { authorization: 'Bearer polar_oat_main' };
      const limited = await fetch(`${url}/v1/products/`, { headers });
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '4']);
      await limited.text();
      await (await fetch(`${url}/__local/fault`, { method: 'PUT', headers, body: JSON.stringify({ mode: 'none' }) })).text();
      const listed = (await (await fetch(`${url}/v1/products/`, { headers })).json()) as { items: Array<{ id: string; prices: Array<Record<string, unknown>> }> };
      expect(listed.items.map((p) => p.id)).toEqual([productIdFor('pro')]);
      expect(listed.items[0].prices).toEqual([expect.objectContaining({ amount_type: 'metered_unit', unit_amount: '0.1' })]);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses to start without its token or with a secret that is not whsec_, naming the variable', async () => {
    const child = start({ POLAR_ACCESS_TOKEN: '', POLAR_WEBHOOK_SECRET: 'not-a-secret' });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('POLAR_ACCESS_TOKEN');
    expect(stderr).toContain('POLAR_WEBHOOK_SECRET: expected a webhook secret starting with whsec_');
  });
});
