import { randomUUID } from 'node:crypto';
import { TEST_DATABASE_URL, type RequestLogRow, type UsageDailyRow, insertUsageRows } from '@nomosly/testing';
import { type ApiResponse, type ConsoleUnderTest, type TestUser, signIn, startConsoleUnderTest } from './helpers';

let system: ConsoleUnderTest;
beforeAll(async () => {
  system = await startConsoleUnderTest();
});
afterAll(() => system?.stop());

function expectInvalid(response: ApiResponse, what: string) {
  expect({ what, status: response.status, code: response.body.error?.code }).toEqual({ what, status: 400, code: 'invalid_request' });
}

async function keyOf(user: TestUser, name: string): Promise<{ id: string; prefix: string }> {
  const created = await user.call('POST', `/api/workspaces/${user.workspaceId}/keys`, { name });
  return created.body.key as { id: string; prefix: string };
}

describe('P4: usage is visible in the console (GET usage, usage.csv)', () => {
  let owner: TestUser;
  let k1: { id: string; prefix: string };
  let k2: { id: string; prefix: string };
  const deletedKeyId = randomUUID();
  let ws: string;

  beforeAll(async () => {
    owner = await signIn(system.console.url, system.issuer, 'usage');
    const other = await signIn(system.console.url, system.issuer, 'usage-other');
    ws = `/api/workspaces/${owner.workspaceId}`;
    [k1, k2] = [await keyOf(owner, 'k1'), await keyOf(owner, 'k2')];
    const otherKey = await keyOf(other, 'other');
    const row = (keyId: string, operation: string, day: string, calls: number, units: number, workspaceId = owner.workspaceId): UsageDailyRow => ({
      workspaceId,
      keyId,
      operation,
      day,
      calls,
      units,
    });
    await insertUsageRows(TEST_DATABASE_URL, {
      daily: [
        row(k1.id, 'faces.detect', '2026-03-29', 100, 100), // the day before `from`
        row(k1.id, 'faces.detect', '2026-03-30', 3, 3),
        row(k2.id, 'labels.detect', '2026-03-30', 2, 2),
        row(k1.id, 'faces.compare', '2026-03-31', 4, 8),
        row(deletedKeyId, 'text.detect', '2026-03-31', 5, 5),
        row(k2.id, 'faces.detect', '2026-04-02', 7, 7),
        row(k1.id, 'faces.detect', '2026-04-02', 1, 1),
        row(k2.id, 'faces.detect', '2026-04-03', 50, 50), // the day after `to`
        row(otherKey.id, 'faces.detect', '2026-03-31', 1000, 1000, other.workspaceId),
      ],
    });
  });

  const usage = (query: string) => owner.call('GET', `${ws}/usage?${query}`);
  const period = 'from=2026-03-30&to=2026-04-02';

  it('P4: groupBy=day sums each UTC day, both ends included, with totals', async () => {
    const response = await usage(`${period}&groupBy=day`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      from: '2026-03-30',
      to: '2026-04-02',
      totals: { calls: 22, units: 26 },
      rows: [
        { day: '2026-03-30', calls: 5, units: 5 },
        { day: '2026-03-31', calls: 9, units: 13 },
        { day: '2026-04-02', calls: 8, units: 8 },
      ],
    });
    // groupBy defaults to day.
    expect((await usage(period)).body).toEqual(response.body);
    expect((await usage('from=2026-04-02&to=2026-04-02')).body).toEqual({
      from: '2026-04-02',
      to: '2026-04-02',
      totals: { calls: 8, units: 8 },
      rows: [{ day: '2026-04-02', calls: 8, units: 8 }],
    });
  });

  it('P4: groupBy=operation and groupBy=key give the same totals, split their way', async () => {
    const byOperation = await usage(`${period}&groupBy=operation`);
    expect(byOperation.body).toEqual({
      from: '2026-03-30',
      to: '2026-04-02',
      totals: { calls: 22, units: 26 },
      rows: [
        { operation: 'faces.compare', calls: 4, units: 8 },
        { operation: 'faces.detect', calls: 11, units: 11 },
        { operation: 'labels.detect', calls: 2, units: 2 },
        { operation: 'text.detect', calls: 5, units: 5 },
      ],
    });
    const byKey = await usage(`${period}&groupBy=key`);
    const expectedKeys = [
      { keyId: k1.id, calls: 8, units: 12 },
      { keyId: k2.id, calls: 9, units: 9 },
      { keyId: deletedKeyId, calls: 5, units: 5 },
    ].sort((a, b) => (a.keyId < b.keyId ? -1 : 1));
    expect(byKey.body).toEqual({ from: '2026-03-30', to: '2026-04-02', totals: { calls: 22, units: 26 }, rows: expectedKeys });
  });

  it('P4: usage.csv has one row per day, operation and key (deleted keys without a prefix) and parses back to the same numbers', async () => {
    const response = await owner.call('GET', `${ws}/usage.csv?${period}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="usage-${owner.workspaceId}-2026-03-30-2026-04-02.csv"`);
    const [header, ...lines] = response.text.trimEnd().split('\n');
    expect(header).toBe('day,operation,keyId,keyPrefix,calls,units');
    const parsed = lines.map((line) => {
      const [day, operation, keyId, keyPrefix, calls, units] = line.split(',');
      return { day, operation, keyId, keyPrefix, calls: Number(calls), units: Number(units) };
    });
    const byDayOperationKey = (a: { day: string; operation: string; keyId: string }, b: typeof a) =>
      `${a.day} ${a.operation} ${a.keyId}` < `${b.day} ${b.operation} ${b.keyId}` ? -1 : 1;
    expect(parsed).toEqual(
      [
        { day: '2026-03-30', operation: 'faces.detect', keyId: k1.id, keyPrefix: k1.prefix, calls: 3, units: 3 },
        { day: '2026-03-30', operation: 'labels.detect', keyId: k2.id, keyPrefix: k2.prefix, calls: 2, units: 2 },
        { day: '2026-03-31', operation: 'faces.compare', keyId: k1.id, keyPrefix: k1.prefix, calls: 4, units: 8 },
        { day: '2026-03-31', operation: 'text.detect', keyId: deletedKeyId, keyPrefix: '', calls: 5, units: 5 },
        { day: '2026-04-02', operation: 'faces.detect', keyId: k1.id, keyPrefix: k1.prefix, calls: 1, units: 1 },
        { day: '2026-04-02', operation: 'faces.detect', keyId: k2.id, keyPrefix: k2.prefix, calls: 7, units: 7 },
      ].sort(byDayOperationKey),
    );
    const json = await usage(period);
    expect(parsed.reduce((sum, row) => sum + row.units, 0)).toBe((json.body.totals as { units: number }).units);
  });

  it('refuses bad periods and groupings with 400 invalid_request; 366 days is the most', async () => {
    const bad: Array<[string, string]> = [
      ['no dates', ''],
      ['no to', 'from=2026-03-30'],
      ['not a day', 'from=2026-3-30&to=2026-04-02'],
      ['a day that does not exist', 'from=2026-02-30&to=2026-03-02'],
      ['garbage', 'from=yesterday&to=today'],
      ['from after to', 'from=2026-04-02&to=2026-03-30'],
      ['367 days', 'from=2025-01-01&to=2026-01-02'],
      ['unknown grouping', `${period}&groupBy=week`],
      ['two groupings', `${period}&groupBy=day&groupBy=key`],
    ];
    for (const [what, query] of bad) expectInvalid(await usage(query), what);
    for (const [what, query] of bad.slice(0, 7)) expectInvalid(await owner.call('GET', `${ws}/usage.csv?${query}`), `csv: ${what}`);
    expect((await usage('from=2024-01-01&to=2024-12-31')).status).toBe(200);
  });
});

describe('the request log (GET requests)', () => {
  let owner: TestUser;
  let ws: string;
  const rows: RequestLogRow[] = [];

  beforeAll(async () => {
    owner = await signIn(system.console.url, system.issuer, 'requests');
    const other = await signIn(system.console.url, system.issuer, 'requests-other');
    ws = `/api/workspaces/${owner.workspaceId}`;
    const paths = ['/v1/faces/detect', '/v1/labels/detect', '/v1/faces/detect/extra'];
    const statuses = [200, 429, 400, 200, 403];
    const prefixes = ['nk_live_AAAA', 'nk_live_BBBB', null];
    for (let i = 0; i < 23; i++) {
      // Each pair shares its timestamp (ties are broken by request id), except 20 and 21: they differ in microseconds only.
      const second = String(Math.floor(i / 2)).padStart(2, '0');
      const micros = i === 21 ? '123457' : '123456';
      rows.push({
        requestId: `req-${String(i).padStart(2, '0')}-${randomUUID().slice(0, 8)}`,
        workspaceId: owner.workspaceId,
        at: `2026-04-01T10:00:${second}.${micros}Z`,
        ip: `10.0.0.${i}`,
        method: 'POST',
        path: paths[i % paths.length],
        status: statuses[i % statuses.length],
        latencyMs: 10 + i,
        keyPrefix: prefixes[i % prefixes.length],
      });
    }
    const foreign: RequestLogRow[] = [200, 429].map((status, i) => ({
      ...rows[i],
      requestId: `foreign-${randomUUID()}`,
      workspaceId: other.workspaceId,
      status,
    }));
    await insertUsageRows(TEST_DATABASE_URL, { requests: [...rows, ...foreign] });
  });

  /** Newest first: at desc, then request id desc. */
  const newestFirst = (list: RequestLogRow[]) =>
    [...list].sort((a, b) => (a.at === b.at ? (a.requestId < b.requestId ? 1 : -1) : (a.at as string) < (b.at as string) ? 1 : -1));
  const itemOf = (row: RequestLogRow) => ({
    at: new Date(row.at).toISOString(),
    ip: row.ip,
    method: row.method,
    path: row.path,
    status: row.status,
    latencyMs: row.latencyMs,
    requestId: row.requestId,
    keyPrefix: row.keyPrefix,
  });

  async function everyPage(query: string, limit: number): Promise<{ items: unknown[]; pages: number }> {
    const items: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await owner.call('GET', `${ws}/requests?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      const page = response.body as { items: unknown[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 50);
    return { items, pages };
  }

  it('P2 P11: pages through every row exactly once, newest first, with the request-log fields only, and no other workspace\'s', async () => {
    const all = await everyPage('', 5);
    expect(all.items).toEqual(newestFirst(rows).map(itemOf));
    expect(all.pages).toBe(5);
    const first = await owner.call('GET', `${ws}/requests`);
    expect((first.body.items as unknown[]).length).toBe(23); // default limit 50
    expect(first.body.nextCursor).toBeNull();
  });

  it('filters by exact status, exact path and exact key prefix, alone and together', async () => {
    const cases: Array<[string, (row: RequestLogRow) => boolean]> = [
      ['status=429', (row) => row.status === 429],
      ['path=/v1/faces/detect', (row) => row.path === '/v1/faces/detect'],
      ['keyPrefix=nk_live_AAAA', (row) => row.keyPrefix === 'nk_live_AAAA'],
      ['status=200&path=/v1/labels/detect&keyPrefix=nk_live_BBBB', (row) => row.status === 200 && row.path === '/v1/labels/detect' && row.keyPrefix === 'nk_live_BBBB'],
    ];
    for (const [query, matches] of cases) {
      const expected = newestFirst(rows.filter(matches)).map(itemOf);
      expect(expected.length).toBeGreaterThan(0);
      expect({ query, items: (await everyPage(query, 2)).items }).toEqual({ query, items: expected });
    }
    expect((await owner.call('GET', `${ws}/requests?status=404`)).body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses bad filters, limits and cursors with 400 invalid_request', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'req'])).toString('base64url');
    const bad: Array<[string, string]> = [
      ['status not a number', 'status=ok'],
      ['status out of range', 'status=99'],
      ['limit 0', 'limit=0'],
      ['limit 201', 'limit=201'],
      ['limit not whole', 'limit=2.5'],
      ['cursor not base64', 'cursor=%21%21'],
      ['cursor not ours', `cursor=${forged}`],
      ['cursor not json', `cursor=${Buffer.from('hello').toString('base64url')}`],
      ['two paths', 'path=/a&path=/b'],
      ['NUL in the path filter', 'path=%2Fv1%00'],
      ['NUL in the key prefix filter', 'keyPrefix=nk_live_%00'],
    ];
    for (const [what, query] of bad) expectInvalid(await owner.call('GET', `${ws}/requests?${query}`), what);
    expect((await owner.call('GET', `${ws}/requests?limit=200`)).status).toBe(200);
  });
});
