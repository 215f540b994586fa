import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type WebConsoleSystem, fixture, fixturePath, until, unzipText } from '@nomosly/testing';
import {
  DOCS_IMAGES_DIR,
  type InPage,
  OUTPUT_DIR,
  accessTokenOf,
  callsThisMonth,
  confirm,
  downloadOf,
  drawnInsidePicture,
  newPersonContext,
  openPage,
  settled,
  signInThroughIdp,
  startSystemAndBrowser,
} from './browser';
import { consoleApi } from './console-api';

/** One person's session in real Chromium, by the names CONSOLE.md gives, from sign-in to a cancelled deletion. */
describe('the web console in Chromium: what a person does', () => {
  const run = randomUUID().slice(0, 8);
  const ownerEmail = `owner-${run}@browser.test`;
  const keyName = `browser key ${run}`;
  let system: WebConsoleSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The key made on the keys page, used in the playground. */
  let secret = '';
  /** Every answer the browser got, from every origin (the console, idp-local, the gateway the playground calls). */
  const answers: Array<{ origin: string; setCookie: Promise<string | null> }> = [];

  beforeAll(async () => {
    ({ system, browser } = await startSystemAndBrowser('web-journeys'));
    context = await newPersonContext(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: system.consoleUrl });
    context.on('response', (answer) => answers.push({ origin: new URL(answer.url()).origin, setCookie: answer.headerValue('set-cookie') }));
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('signs in through the idp-local form (Email, Sign in) and lands on the overview, with no calls yet', async () => {
    await signInThroughIdp(page, system.consoleUrl, ownerEmail);
    await page.getByRole('heading', { level: 1, name: 'Overview', exact: true }).waitFor();
    await page.getByRole('banner').getByText(ownerEmail, { exact: true }).waitFor();
    await settled(page);
    expect(await callsThisMonth(page)).toBe(0);
  });

  it('P3: creates a key: the secret shows once in a read-only Secret field with Copy, and is gone when the dialog closes', async () => {
    await openPage(page, 'API keys');
    await page.getByRole('button', { name: 'Create key', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill(keyName);
    // Every scope is ticked at first; this key may not compare faces.
    await page.getByRole('checkbox', { name: 'faces:compare', exact: true }).uncheck();
    for (const scope of ['faces:detect', 'labels:detect', 'text:detect']) expect(await page.getByRole('checkbox', { name: scope, exact: true }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    const secretField = page.getByLabel('Secret', { exact: true });
    await secretField.waitFor();
    expect(await secretField.isEditable()).toBe(false);
    secret = await secretField.inputValue();
    expect(secret).toMatch(/^nk_live_\S{20,}$/);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    expect(await page.evaluate(() => (globalThis as unknown as InPage).navigator.clipboard.readText())).toBe(secret);

    await page.getByRole('button', { name: 'Done', exact: true }).click();
    await secretField.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: keyName });
    await row.waitFor();
    await row.getByRole('cell', { name: 'faces:detect, labels:detect, text:detect', exact: true }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await savePicture(page, 'keys');
  });

  it('runs the playground with a fixture photo: a box is drawn over the face, with the response and the code', async () => {
    await openPage(page, 'Playground');
    await page.getByLabel('Image', { exact: true }).setInputFiles(fixturePath('grace_hopper.jpg'));
    // Not exact: a select's accessible name takes in its chosen option ("Operation faces.detect").
    await page.getByLabel('Operation', { exact: true }).selectOption('faces.detect');
    await page.getByLabel('API key', { exact: true }).fill(secret);
    await page.getByRole('button', { name: 'Run', exact: true }).click();

    const response = page.getByRole('region', { name: 'Response', exact: true });
    await response.getByText('HTTP 200').waitFor();
    // The region reads: its heading, the status line, then the JSON as the gateway sent it.
    const shown = await response.innerText();
    const answer = JSON.parse(shown.slice(shown.indexOf('\n{') + 1)) as { operation: string; faces: unknown[] };
    expect(answer.operation).toBe('faces.detect');
    expect(answer.faces).toHaveLength(1);
    // The Result: the photo with a mark per thing found, each an image named for what it marks.
    const result = page.getByRole('img', { name: 'Result', exact: true });
    await page.getByText('1 face found, with 5 landmarks.', { exact: true }).waitFor();
    const face = result.getByRole('img', { name: /^face, [\d.]+ ?% confident$/ });
    expect(await face.count()).toBe(1);
    expect(await result.getByRole('img', { name: /^landmark / }).count()).toBe(5);
    expect(await drawnInsidePicture(page, face)).toBe(true);
    const code = page.getByRole('region', { name: 'Code', exact: true });
    await code.getByText(`${system.gatewayUrl}/v1/faces/detect`).first().waitFor();
    expect(await code.innerText()).not.toContain(secret);
    await savePicture(page, 'playground');
  });

  it("the overview's call count moves with the playground's call", async () => {
    await openPage(page, 'Overview');
    // The usage app records the call within moments; the overview shows it once it asks again.
    for (let attempt = 0; (await callsThisMonth(page)) !== 1; attempt++) {
      if (attempt === 20) throw new Error(`the overview still shows ${await callsThisMonth(page)} calls`);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Overview', exact: true }).waitFor();
      await settled(page);
    }
  });

  it("P12: after sign-in, a key and a playground call, every cookie on every origin visited is on the privacy page's strictly necessary list; the console and the gateway set none", async () => {
    const origins = new Set(answers.map((answer) => answer.origin));
    for (const visited of [system.consoleUrl, system.issuerUrl, system.gatewayUrl]) expect(origins).toContain(new URL(visited).origin);
    const notice = (await (await fetch(`${system.consoleUrl}/api/privacy`)).json()) as { cookies: Array<{ name: string }> };
    const listed = new Set(notice.cookies.flatMap((cookie) => cookie.name.split(',').map((name) => name.trim())));
    const held = (await context.cookies()).map((cookie) => `${cookie.domain} ${cookie.name}`);
    // idp-local's sign-in session: the list is checked against cookies the browser really holds.
    expect(held.length).toBeGreaterThan(0);
    expect(held.filter((cookie) => !listed.has(cookie.split(' ')[1]))).toEqual([]);
    const ours = new Set([new URL(system.consoleUrl).origin, new URL(system.gatewayUrl).origin]);
    const setByOurs = await Promise.all(answers.filter((answer) => ours.has(answer.origin)).map(async (answer) => ({ origin: answer.origin, setCookie: await answer.setCookie })));
    expect(setByOurs.filter((answer) => answer.setCookie !== null)).toEqual([]);
  });

  it('downloads the usage CSV: one row for the call, by day, operation and key', async () => {
    await openPage(page, 'Usage');
    const csv = await downloadOf(page, () => page.getByRole('link', { name: 'Download CSV', exact: true }).click());
    expect(csv.name).toMatch(/\.csv$/);
    const [header, ...rows] = csv.body.toString('utf8').trim().split(/\r?\n/);
    expect(header).toBe('day,operation,keyId,keyPrefix,calls,units');
    expect(rows).toEqual([expect.stringMatching(new RegExp(`^${new Date().toISOString().slice(0, 10)},faces\\.detect,[0-9a-f-]{36},nk_live_\\w+,1,1$`))]);
  });

  it('P8: downloads my data (Settings > Download my data), marketing email off by default (P12): a zip with README.txt, profile.json and my key without its secret', async () => {
    await openPage(page, 'Settings');
    expect(await page.getByRole('checkbox', { name: 'Marketing email', exact: true }).isChecked()).toBe(false);
    const zip = await downloadOf(page, () => page.getByRole('button', { name: 'Download my data', exact: true }).click());
    expect(zip.name).toMatch(/\.zip$/);
    const files = await unzipText(zip.body);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['README.txt', 'profile.json', 'workspaces.json', 'api_keys.json', 'usage_records.jsonl', 'request_log.jsonl']));
    expect(JSON.parse(files.get('profile.json') ?? '{}')).toMatchObject({ email: ownerEmail });
    const keys = JSON.parse(files.get('api_keys.json') ?? '[]') as Array<{ name: string }>;
    expect(keys.map((key) => key.name)).toContain(keyName);
    expect([...files.values()].join('\n')).not.toContain(secret);
  });

  // Before the invitation: an owner whose workspace has other members cannot start deletion (409).
  it('P7: starts deletion (Delete my account, confirmed): the scheduled time shows; Cancel deletion stops it', async () => {
    await openPage(page, 'Settings');
    await confirm(page, 'Delete my account');
    const cancel = page.getByRole('button', { name: 'Cancel deletion', exact: true });
    await cancel.waitFor();
    const scheduledFor = (await consoleApi(system.consoleUrl, await accessTokenOf(page)).me()).user.deletionScheduledFor;
    expect((Date.parse(scheduledFor ?? '') - Date.now()) / 3_600_000).toBeGreaterThan(71);
    // The countdown's end as the page shows it: in the browser's time zone, with the UTC instant on hover.
    const shown = page.getByRole('main').getByTitle(/ UTC$/).first();
    expect(new Date((await shown.getAttribute('datetime')) ?? '').toISOString()).toBe(new Date(scheduledFor ?? '').toISOString());

    await cancel.click();
    await page.getByRole('button', { name: 'Delete my account', exact: true }).waitFor();
    expect((await consoleApi(system.consoleUrl, await accessTokenOf(page)).me()).user.deletionScheduledFor).toBeNull();
  });

  it('invites a second person, who signs in in another browser, accepts, and sees the workspace', async () => {
    const inviteeEmail = `invitee-${run}@browser.test`;
    const workspaceName = await ownWorkspaceName(system.consoleUrl, await accessTokenOf(page));
    await openPage(page, 'Members');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.getByLabel('Email', { exact: true }).fill(inviteeEmail);
    // Not exact: a select's accessible name takes in its chosen option ("Role member").
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
    await page.getByRole('row').filter({ hasText: inviteeEmail }).waitFor();

    const other = await newPersonContext(browser);
    try {
      const invitee = await other.newPage();
      await signInThroughIdp(invitee, system.consoleUrl, inviteeEmail, '/members');
      await invitee.getByRole('button', { name: 'Accept', exact: true }).first().click();
      const picker = invitee.getByRole('combobox', { name: 'Workspace', exact: true });
      await picker.getByRole('option', { name: new RegExp(`^${escapeRegExp(workspaceName)} \\(member\\)$`) }).waitFor({ state: 'attached' });
      await picker.selectOption({ label: `${workspaceName} (member)` });
      await openPage(invitee, 'Members');
      const members = invitee.getByRole('table', { name: `Members of ${workspaceName}`, exact: true });
      const memberRow = (email: string) => members.getByRole('row').filter({ has: invitee.getByRole('cell', { name: email, exact: true }) });
      await memberRow(ownerEmail).getByRole('cell', { name: 'owner', exact: true }).waitFor();
      await memberRow(`${inviteeEmail} (you)`).getByRole('cell', { name: 'member', exact: true }).waitFor();
    } finally {
      await other.close();
    }
  });


  it('P3: revokes the key (Revoke, confirmed): the row says Revoked and the gateway refuses the key within a second', async () => {
    await openPage(page, 'API keys');
    const row = page.getByRole('row').filter({ hasText: keyName });
    await row.getByRole('button', { name: 'Revoke', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke?', exact: true });
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByText('Revoked', { exact: true }).waitFor();
    const refused = async () => {
      const answer = await fetch(`${system.gatewayUrl}/v1/faces/detect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'image/jpeg' },
        body: fixture('grace_hopper.jpg'),
      });
      return answer.status === 401;
    };
    await until(refused, { what: 'the gateway refusing the revoked key', timeoutMs: 1_000, intervalMs: 50 });
  });
});

/** The name of the signed-in person's own workspace. */
async function ownWorkspaceName(consoleUrl: string, token: string): Promise<string> {
  return (await consoleApi(consoleUrl, token).ownWorkspace()).name;
}

/**
 * README's picture of a page, whole (the playground's Response and Code are below the fold): always under the test
 * output folder; into docs/images with UPDATE_DOCS_IMAGES=1.
 */
async function savePicture(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `readme-${name}.png`);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.UPDATE_DOCS_IMAGES === '1') {
    mkdirSync(DOCS_IMAGES_DIR, { recursive: true });
    copyFileSync(file, path.join(DOCS_IMAGES_DIR, `console-${name}.png`));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
