import { randomUUID } from 'node:crypto';
import { hashApiKey } from '@nomosly/api-keys';
import { TEST_DATABASE_URL, dumpPostgres, fixture, runCli, startTestSystem, until } from '@nomosly/testing';

describe('cli keys create', () => {
  it('P3: provisions the user and workspace, prints the documented lines and the secret alone on the last line, and stores only its hash', async () => {
    const email = `cli-${randomUUID().slice(0, 8)}@cli.test`;
    const first = runCli(['keys', 'create', '--email', email, '--name', 'ci', '--scopes', 'text:detect', '--daily-limit', '7'], {
      DATABASE_URL: TEST_DATABASE_URL,
    });
    expect(first.status).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(`user      ${email} (created)`);
    expect(lines[1]).toMatch(new RegExp(`^workspace [0-9a-f-]{36} ${email}'s workspace$`));
    expect(lines[2]).toMatch(/^key {7}nk_live_[0-9A-Za-z]{4}… "ci" scopes text:detect$/);
    expect(lines[3]).toBe('The secret below is shown once; store it now.');
    const secret = lines[4];
    expect(secret).toMatch(/^nk_live_[0-9A-Za-z]{32}$/);

    const second = runCli(['keys', 'create', '--email', email], { DATABASE_URL: TEST_DATABASE_URL });
    const secondLines = second.stdout.trim().split('\n');
    expect(secondLines[0]).toBe(`user      ${email}`);
    expect(secondLines[1]).toBe(lines[1]);

    const dump = await dumpPostgres(TEST_DATABASE_URL);
    expect(dump).toContain(hashApiKey(secret));
    expect(dump).not.toContain(secret.slice(12));
  });

  it('refuses a key beyond the plan\'s maxActiveKeys with a clear error and exit code 1; --replace takes the same-named key\'s place', () => {
    const email = `cli-cap-${randomUUID().slice(0, 8)}@cli.test`;
    const env = {
      DATABASE_URL: TEST_DATABASE_URL,
      PLANS: JSON.stringify({ free: { rateLimitPerSecond: 10, monthlyUnitQuota: 1000, centsPerThousandUnits: 0, maxActiveKeys: 2 } }),
    };
    const create = (...extra: string[]) => runCli(['keys', 'create', '--email', email, ...extra], env);
    expect(create('--name', 'a').status).toBe(0);
    expect(create('--name', 'demo').status).toBe(0);
    const refused = create('--name', 'c');
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'cli: This workspace already has 2 active keys, the most its plan allows (2); revoke a key it no longer needs, then create this one.',
    );
    expect(refused.stdout).not.toMatch(/nk_live_/);
    for (let i = 0; i < 3; i++) expect(create('--name', 'demo', '--replace').status).toBe(0);
    const listed = runCli(['keys', 'list', '--email', email], env).stdout.trim().split('\n');
    expect(listed.filter((line) => / active /.test(line))).toHaveLength(2);
    expect(listed.filter((line) => / revoked .* demo$/.test(line))).toHaveLength(3);
  });

  it('P3: a key replaced with --replace is refused by a running gateway within 1 s, though the gateway had it cached', async () => {
    // A key cache far longer than the test: only the CLI's key event can make the gateway drop the old key in time.
    const system = await startTestSystem({ label: 'cli-replace', engine: 'null', gatewayEnv: { KEY_CACHE_TTL_MS: '120000' } });
    try {
      const env = { DATABASE_URL: TEST_DATABASE_URL, EVENTS_REDIS_URL: system.env.EVENTS_REDIS_URL };
      const email = `cli-replace-${randomUUID().slice(0, 8)}@cli.test`;
      const create = () => runCli(['keys', 'create', '--email', email, '--name', 'demo', '--replace'], env);
      const detect = async (key: string) =>
        (
          await fetch(`${system.gateway.url}/v1/faces/detect`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'image/png' },
            body: fixture('astronaut.png'),
          })
        ).status;
      const first = create();
      expect(first.status).toBe(0);
      const old = first.stdout.trim().split('\n').at(-1) as string;
      expect(await detect(old)).toBe(200);

      const second = create();
      expect(second.status).toBe(0);
      expect(second.stderr).toBe('');
      const replacedAt = Date.now();
      await until(async () => (await detect(old)) === 401, { what: 'the gateway refusing the replaced key', timeoutMs: 5_000, intervalMs: 20 });
      expect(Date.now() - replacedAt).toBeLessThan(1_000);
      expect(await detect(second.stdout.trim().split('\n').at(-1) as string)).toBe(200);
    } finally {
      await system.stop();
    }
  }, 180_000);

  it('refuses unknown scopes with usage text and exit code 2', () => {
    const result = runCli(['keys', 'create', '--email', 'x@cli.test', '--scopes', 'admin'], { DATABASE_URL: TEST_DATABASE_URL });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown: admin');
  });
});
