import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { type WebConsoleSystem, fixturePath, until } from '@nomosly/testing';
import {
  accessTokenOf,
  drawnInsidePicture,
  gatewayStatus,
  newPersonContext,
  openPage,
  settled,
  signInThroughIdp,
  startSystemAndBrowser,
} from './browser';
import { consoleApi } from './console-api';

interface IssuedKey {
  secret: string;
  key: { id: string; prefix: string; name: string };
}
interface RequestLogPage {
  items: Array<{ path: string; status: number; keyPrefix: string | null }>;
  nextCursor: string | null;
}

/**
 * The console's other controls in real Chromium, each used as a person does and checked on the page and on the
 * system behind it (the gateway, the Console API, polar-local and the billing app): rotating and deleting a key,
 * the request log's filters and Load more, the playground's other operations, the settings, billing, removing a member.
 */
describe('the web console in Chromium: every control does what it says', () => {
  const run = randomUUID().slice(0, 8);
  const ownerEmail = `controls-${run}@browser.test`;
  let system: WebConsoleSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: ReturnType<typeof consoleApi>;
  let workspaceId = '';
  /** The key the requests, the playground and the restriction use. */
  let primary: IssuedKey;
  let other: IssuedKey;

  beforeAll(async () => {
    // The billing app too: polar-local's webhooks of a confirmed checkout must move the plan.
    ({ system, browser } = await startSystemAndBrowser('web-controls', { billing: true }));
    context = await newPersonContext(browser);
    page = await context.newPage();
    await signInThroughIdp(page, system.consoleUrl, ownerEmail);
    api = consoleApi(system.consoleUrl, await accessTokenOf(page));
    workspaceId = (await api.ownWorkspace()).id;
    primary = await api.call<IssuedKey>('POST', `/api/workspaces/${workspaceId}/keys`, { name: 'primary' });
    other = await api.call<IssuedKey>('POST', `/api/workspaces/${workspaceId}/keys`, { name: 'other' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  const requestLog = (query = '') => api.call<RequestLogPage>('GET', `/api/workspaces/${workspaceId}/requests?limit=100${query}`);

  it('Requests: Status, Path and Key prefix narrow the log; Load more brings the older calls', async () => {
    // More calls than a page holds (50): cheap ones the gateway refuses (no image), one faces.detect that works,
    // and one refused call with the other key.
    const empty = Buffer.alloc(0);
    for (let batch = 0; batch < 5; batch++) {
      const statuses = await Promise.all(Array.from({ length: 10 }, () => gatewayStatus(system.gatewayUrl, primary.secret, '/v1/labels/detect', empty)));
      expect(statuses.every((status) => status === 400)).toBe(true);
    }
    expect(await gatewayStatus(system.gatewayUrl, primary.secret)).toBe(200);
    expect(await gatewayStatus(system.gatewayUrl, other.secret, '/v1/faces/detect', empty)).toBe(400);
    await until(async () => (await requestLog()).items.length === 52, { what: 'the 52 calls in the request log', timeoutMs: 30_000, intervalMs: 200 });

    await openPage(page, 'Requests');
    const log = page.getByRole('table');
    const rows = log.locator('tbody').getByRole('row');
    await page.getByText('Showing 50 requests; older ones follow.', { exact: true }).waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Load more', exact: true }).click();
    await page.getByText('Showing 52 requests.', { exact: true }).waitFor();
    expect(await rows.count()).toBe(52);
    expect(await page.getByRole('button', { name: 'Load more', exact: true }).count()).toBe(0);

    const filterBy = async (label: string, value: string, expected: number) => {
      const form = page.getByRole('search', { name: 'Filter requests' });
      await form.getByRole('button', { name: 'Clear', exact: true }).click();
      await form.getByLabel(label, { exact: true }).fill(value);
      await form.getByRole('button', { name: 'Filter', exact: true }).click();
      await page.getByText(`Showing ${expected} request${expected === 1 ? '' : 's'}.`, { exact: true }).waitFor();
      await settled(page);
      return rows.allInnerTexts();
    };
    const ok = await filterBy('Status', '200', 1);
    expect(ok[0]).toMatch(/POST\s+\/v1\/faces\/detect\s+200\b/);
    expect(ok[0]).toContain(primary.key.prefix);
    const faces = await filterBy('Path', '/v1/faces/detect', 2);
    expect(faces.every((row) => row.includes('/v1/faces/detect'))).toBe(true);
    const byOther = await filterBy('Key prefix', other.key.prefix, 1);
    expect(byOther[0]).toContain(other.key.prefix);
    expect(byOther[0]).toMatch(/\s400\s/);
    // What the page shows is the system's log: the same counts through the API.
    expect((await requestLog('&status=200')).items).toHaveLength(1);
    expect((await requestLog(`&keyPrefix=${other.key.prefix}`)).items).toHaveLength(1);
  });

  it('P3: API keys: Rotate shows the new secret once and the old key working until the overlap ends; Delete removes the row and the gateway refuses the key', async () => {
    const rotating = await api.call<IssuedKey>('POST', `/api/workspaces/${workspaceId}/keys`, { name: `rotating ${run}` });
    await openPage(page, 'API keys');
    const rowOf = (prefix: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: prefix, exact: true }) });
    const oldRow = rowOf(rotating.key.prefix);
    await oldRow.getByRole('button', { name: 'Rotate', exact: true }).click();
    const question = page.getByRole('dialog', { name: 'Rotate?', exact: true });
    await question.getByText('keeps working for 24 hours').waitFor();
    await question.getByRole('button', { name: 'Rotate', exact: true }).click();

    const issued = page.getByRole('dialog', { name: `Key rotating ${run} rotated`, exact: true });
    const secretField = issued.getByLabel('Secret', { exact: true });
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^nk_live_\S{20,}$/);
    expect(secret).not.toBe(rotating.secret);
    const overlap = issued.getByText(`The old key ${rotating.key.prefix} keeps working until`);
    await overlap.waitFor();
    const until24h = await overlap.locator('time').getAttribute('datetime');
    const hoursLeft = (Date.parse(until24h ?? '') - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(23);
    expect(hoursLeft).toBeLessThanOrEqual(24);
    // Both keys work during the overlap, and the old row says until when.
    expect(await gatewayStatus(system.gatewayUrl, rotating.secret)).toBe(200);
    expect(await gatewayStatus(system.gatewayUrl, secret)).toBe(200);
    await issued.getByRole('button', { name: 'Done', exact: true }).click();
    await issued.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(secret);
    await oldRow.getByText(/^Expires /).waitFor();
    const newPrefix = secret.slice(0, rotating.key.prefix.length);
    await rowOf(newPrefix).getByText('Active', { exact: true }).waitFor();

    await oldRow.getByRole('button', { name: 'Delete', exact: true }).click();
    const deleting = page.getByRole('dialog', { name: 'Delete?', exact: true });
    await deleting.getByRole('button', { name: 'Delete', exact: true }).click();
    await deleting.waitFor({ state: 'hidden' });
    await oldRow.waitFor({ state: 'detached' });
    await until(async () => (await gatewayStatus(system.gatewayUrl, rotating.secret)) === 401, { what: 'the gateway refusing the deleted key', timeoutMs: 5_000, intervalMs: 100 });
    expect(await gatewayStatus(system.gatewayUrl, secret)).toBe(200);
    const listed = await api.call<{ keys: Array<{ id: string }> }>('GET', `/api/workspaces/${workspaceId}/keys`);
    expect(listed.keys.map((key) => key.id)).not.toContain(rotating.key.id);
  });

  describe('Playground: each operation draws its marks over the picture', () => {
    const runOperation = async (operation: string, images: string[]) => {
      await openPage(page, 'Playground');
      await page.getByLabel('Operation', { exact: true }).selectOption(operation);
      await page.getByLabel('Image', { exact: true }).setInputFiles(fixturePath(images[0]));
      if (images[1]) await page.getByLabel('Second image', { exact: true }).setInputFiles(fixturePath(images[1]));
      await page.getByLabel('API key', { exact: true }).fill(primary.secret);
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      const response = page.getByRole('region', { name: 'Response', exact: true });
      await response.getByText('HTTP 200').waitFor({ timeout: 30_000 });
      const shown = await response.innerText();
      return JSON.parse(shown.slice(shown.indexOf('\n{') + 1)) as Record<string, unknown>;
    };
    const result = () => page.getByRole('img', { name: 'Result', exact: true });
    const allDrawnInside = async (marks: Locator, index = 0) => {
      for (const mark of await marks.all()) if (!(await drawnInsidePicture(page, mark, index))) return false;
      return true;
    };

    it('labels.detect on the astronaut: a Person box', async () => {
      const answer = await runOperation('labels.detect', ['astronaut.png']);
      expect(answer.operation).toBe('labels.detect');
      const people = result().getByRole('img', { name: /^label Person [\d.]+ %$/ });
      await people.first().waitFor();
      expect(await allDrawnInside(people)).toBe(true);
    });

    it('text.detect on printed text: a box per line and per word', async () => {
      const answer = await runOperation('text.detect', ['printed_text.png']);
      expect(answer.operation).toBe('text.detect');
      const line = result().getByRole('img', { name: 'line "Privacy first vision API"', exact: true });
      await line.waitFor();
      expect(await drawnInsidePicture(page, line)).toBe(true);
      const words = result().getByRole('img', { name: /^word "/ });
      expect(await words.count()).toBeGreaterThanOrEqual(4);
      expect(await allDrawnInside(words)).toBe(true);
    });

    it('faces.compare of a photo with itself: the source face, and a match on the second picture', async () => {
      const answer = await runOperation('faces.compare', ['grace_hopper.jpg', 'grace_hopper.jpg']);
      expect(answer.operation).toBe('faces.compare');
      const source = result().getByRole('img', { name: 'source face', exact: true });
      const match = result().getByRole('img', { name: /^match [\d.]+ %$/ });
      await match.waitFor();
      expect(await drawnInsidePicture(page, source, 0)).toBe(true);
      expect(await drawnInsidePicture(page, match, 1)).toBe(true);
      // The gateway's own log has the three calls, made with the key typed in.
      const playground = (await requestLog(`&keyPrefix=${primary.key.prefix}&status=200`)).items.map((item) => item.path);
      expect(playground).toEqual(expect.arrayContaining(['/v1/labels/detect', '/v1/text/detect', '/v1/faces/compare']));
    });
  });

  it('Settings: Restrict processing stops every key of mine at the gateway, and lifting it lets them through again', async () => {
    await openPage(page, 'Settings');
    const restriction = page.getByRole('switch', { name: 'Restrict processing', exact: true });
    expect(await restriction.getAttribute('aria-checked')).toBe('false');
    await restriction.click();
    await page.getByRole('switch', { name: 'Restrict processing', checked: true }).waitFor();
    await until(async () => (await api.me()).user.restricted === true, { what: 'the restriction saved', timeoutMs: 5_000, intervalMs: 100 });
    await until(async () => (await gatewayStatus(system.gatewayUrl, primary.secret)) === 403, { what: 'the gateway refusing a restricted key', timeoutMs: 5_000, intervalMs: 100 });

    await restriction.click();
    await page.getByRole('switch', { name: 'Restrict processing', checked: false }).waitFor();
    await until(async () => (await gatewayStatus(system.gatewayUrl, primary.secret)) === 200, { what: 'the gateway taking the key again', timeoutMs: 5_000, intervalMs: 100 });
    expect((await api.me()).user.restricted).toBe(false);
  });

  it('Settings: the Spend cap and the Name are saved, and a reload shows them', async () => {
    const name = `Owner ${run}`;
    await openPage(page, 'Settings');
    await page.getByLabel('Spend cap', { exact: true }).fill('12.50');
    await page.getByRole('button', { name: 'Set spend cap', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Capped at $12.50 a month.' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings', exact: true }).waitFor();
    await settled(page);
    await page.getByText('of a cap of $12.50.').waitFor();
    expect(await page.getByLabel('Spend cap', { exact: true }).inputValue()).toBe('12.50');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(name);
    expect((await api.call<{ monthlySpendCapCents: number | null }>('GET', `/api/workspaces/${workspaceId}/limits`)).monthlySpendCapCents).toBe(1250);
    expect((await api.me()).user.name).toBe(name);
  });

  it('Billing: Upgrade goes through the Polar checkout and back, and the page shows the paid plan; Manage billing opens the Polar portal', async () => {
    await openPage(page, 'Billing');
    await page.getByText('No subscription: this workspace is on the free plan.').waitFor();
    await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
    await page.waitForURL(`${system.polar.url}/checkout/**`);
    await page.getByRole('heading', { name: 'Pro', exact: true }).waitFor();
    await page.getByLabel('Email').fill(ownerEmail);
    await page.getByRole('button', { name: 'Pay', exact: true }).click();

    await page.waitForURL(`${system.consoleUrl}/billing?checkout=done`);
    await page.getByRole('heading', { level: 1, name: 'Billing', exact: true }).waitFor();
    // Polar's webhooks reach the billing app, which moves the plan; the page asks again until it shows.
    await page.getByText('pro, active', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('main').getByText('pro', { exact: true }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Upgrade', exact: true }).count()).toBe(0);
    const billing = await api.call<{ plan: string; subscription: { status: string } | null }>('GET', `/api/workspaces/${workspaceId}/billing`);
    expect(billing.plan).toBe('pro');
    expect(billing.subscription?.status).toBe('active');

    await page.getByRole('button', { name: 'Manage billing', exact: true }).click();
    await page.waitForURL(`${system.polar.url}/portal/**`);
    await page.getByRole('heading', { name: 'Your subscriptions', exact: true }).waitFor();
    await page.getByText(/^Pro: active/).waitFor();
    await page.goto(`${system.consoleUrl}/overview`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
  });

  it('Members: Remove (confirmed) takes a member who accepted out of the workspace; their row is gone', async () => {
    const memberEmail = `member-${run}@browser.test`;
    await api.call('POST', `/api/workspaces/${workspaceId}/members`, { email: memberEmail, role: 'member' });
    const theirs = await newPersonContext(browser);
    try {
      const member = await theirs.newPage();
      await signInThroughIdp(member, system.consoleUrl, memberEmail, '/members');
      await member.getByRole('button', { name: 'Accept', exact: true }).first().click();
      const memberApi = consoleApi(system.consoleUrl, await accessTokenOf(member));
      await until(async () => (await memberApi.me()).workspaces.some((workspace) => workspace.id === workspaceId), { what: 'the invitation accepted', intervalMs: 100 });
    } finally {
      await theirs.close();
    }

    await openPage(page, 'Members');
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: memberEmail, exact: true }) });
    await row.getByRole('cell', { name: 'member', exact: true }).waitFor();
    await row.getByRole('button', { name: 'Remove', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove?', exact: true });
    await dialog.getByText(`${memberEmail} leaves`).waitFor();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.waitFor({ state: 'detached' });
    const members = await api.call<{ members: Array<{ email: string }> }>('GET', `/api/workspaces/${workspaceId}/members`);
    expect(members.members.map((entry) => entry.email)).not.toContain(memberEmail);
  });
});
