import type { ChildProcess } from 'node:child_process';
import { STAND_IN_ENV, type StandInName, startStandInProcess as startStandIn } from '@nomosly/testing';

async function terminate(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(killer);
  return { code, ms: Date.now() - started };
}

describe('the stand-ins stop on SIGTERM within SHUTDOWN_TIMEOUT_MS (issue 17)', () => {
  for (const name of Object.keys(STAND_IN_ENV) as StandInName[]) {
    it(`${name} exits 0, saying so, well within the deadline`, async () => {
      const standIn = await startStandIn(name);
      const stopped = await terminate(standIn.child);
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(10_000);
      expect(standIn.output()).toMatch(new RegExp(`^${name}: SIGTERM: stopping within 10000 ms$`, 'm'));
      expect(standIn.output()).toMatch(new RegExp(`^${name}: stopped in \\d+ ms$`, 'm'));
    });
  }

  it('polar-local holding a request that never ends (POLAR_LOCAL_FAULT=hang) lets it go unanswered and exits 0, well within its deadline', async () => {
    const standIn = await startStandIn('polar-local', { POLAR_LOCAL_FAULT: 'hang', SHUTDOWN_TIMEOUT_MS: '2000' });
    const hanging = fetch(`${standIn.url}/v1/products/`, { headers: { authorization: 'Bearer polar_oat_shutdown' } }).then(
      (response) => `answered ${response.status}`,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = await terminate(standIn.child);
    // Closing releases the held request, so the shutdown is clean: 0, not the deadline's 1.
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(2_000);
    expect(standIn.output()).not.toMatch(/shutdown did not finish/);
    // It was held, then its connection closed with no answer (not refused: it had arrived).
    expect(await hanging).toBe('UND_ERR_SOCKET');
  });
});
