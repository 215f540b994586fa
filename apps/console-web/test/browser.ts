import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Download, type Locator, type Page, chromium } from 'playwright-core';
import { REPO_ROOT, fixture, type WebConsoleSystem, type WebConsoleSystemOptions, startWebConsoleSystem } from '@nomosly/testing';

/** Debian's Chromium (npm test installs it when missing); CHROMIUM_BIN moves it. */
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Where screenshots go (gitignored); README's images are copied to docs/images only when asked (UPDATE_DOCS_IMAGES=1). */
export const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output/console');
export const DOCS_IMAGES_DIR = path.join(REPO_ROOT, 'docs/images');

/** CONSOLE.md's pages: each a navigation link of that name, a path, and a heading of that name. */
export const PAGES = [
  { name: 'Overview', path: '/overview' },
  { name: 'API keys', path: '/keys' },
  { name: 'Usage', path: '/usage' },
  { name: 'Requests', path: '/requests' },
  { name: 'Billing', path: '/billing' },
  { name: 'Members', path: '/members' },
  { name: 'Playground', path: '/playground' },
  { name: 'Settings', path: '/settings' },
  { name: 'Privacy', path: '/privacy' },
] as const;

/**
 * Headless Chromium that stays off the network: the machine's network is closed, and without these flags Chromium
 * keeps trying Google's services (QUIC, component updates, sync) and floods refused connections.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing (${CHROMIUM}): npm test installs Debian's chromium when it can; else "sudo apt-get install chromium", or set CHROMIUM_BIN.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The whole system and a browser, started side by side; when either fails, the other is stopped. */
export async function startSystemAndBrowser(label: string, options: WebConsoleSystemOptions = {}): Promise<{ system: WebConsoleSystem; browser: Browser }> {
  const [system, browser] = await Promise.allSettled([startWebConsoleSystem(label, options), launchChromium()]);
  if (system.status === 'fulfilled' && browser.status === 'fulfilled') return { system: system.value, browser: browser.value };
  await Promise.all([system.status === 'fulfilled' ? system.value.stop() : null, browser.status === 'fulfilled' ? browser.value.close() : null]);
  throw system.status === 'rejected' ? system.reason : (browser as PromiseRejectedResult).reason;
}

/** A fresh person's browser: no cookies, no storage, no cache; UTC, English, a desktop window. */
export async function newPersonContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC', acceptDownloads: true });
  // Every wait is for something a person would see within a second or two: a missing control fails in 15 s, not 30.
  context.setDefaultTimeout(15_000);
  return context;
}

/**
 * Signs in as a person does: the console's Sign in, then idp-local's form (Email, Sign in), back on `path`
 * signed in (the header's Sign out shows).
 */
export async function signInThroughIdp(page: Page, consoleUrl: string, email: string, path = '/overview'): Promise<void> {
  await page.goto(`${consoleUrl}${path}`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // The idp's form: it may come prefilled with a default email, which this person replaces.
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
}

/** Goes to a page through the navigation, as a person does, and waits for its heading. */
export async function openPage(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
  await settled(page);
}

/** Nothing left loading: no request in flight and no "Loading…" status on the page. */
export async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.getByRole('status').filter({ hasText: /Loading/ }).first().waitFor({ state: 'hidden' });
}

/** What `action` made the browser download: its suggested name and its bytes. */
export async function downloadOf(page: Page, action: () => Promise<void>): Promise<{ name: string; body: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), action()]);
  return { name: download.suggestedFilename(), body: await bytesOf(download) };
}

async function bytesOf(download: Download): Promise<Buffer> {
  const file = await download.path();
  return readFileSync(file);
}

/** The page at 1280 and 360 px wide, whole, under the test output folder; returns the two files. */
export async function screenshotBothWidths(page: Page, name: string): Promise<string[]> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const files: string[] = [];
  // The pointer off the page: a link it last hovered would show its hover style.
  await page.mouse.move(0, 0);
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 800 });
    const file = path.join(OUTPUT_DIR, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  return files;
}

/** What functions run in the page (page.evaluate, addInitScript) use of it: these node typings have no DOM. */
export interface InPage {
  sessionStorage: WebStorage;
  localStorage: WebStorage;
  navigator: { clipboard: { readText(): Promise<string> } };
}

/** An element as functions run in the page read it. */
export interface InPageElement {
  querySelector(selector: string): InPageElement | null;
  querySelectorAll(selector: string): ArrayLike<InPageElement>;
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number; height: number };
}

interface WebStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The sessionStorage and localStorage of the page's origin, as [key, value] pairs. */
export function storageOf(page: Page, which: 'localStorage' | 'sessionStorage'): Promise<Array<[string, string]>> {
  return page.evaluate((name) => {
    const storage = (globalThis as unknown as InPage)[name];
    return Array.from({ length: storage.length }, (_, index) => {
      const key = storage.key(index) ?? '';
      return [key, storage.getItem(key) ?? ''] as [string, string];
    });
  }, which);
}

/**
 * The access token oidc-client-ts keeps for the signed-in user (its `oidc.user:` entry): in this tab's
 * sessionStorage, where it belongs, or wherever else the console put it. Finding it elsewhere is not this helper's
 * verdict: the P12 spec asserts where it must not be, and needs the token to look for.
 */
export async function accessTokenOf(page: Page): Promise<string> {
  for (const area of ['sessionStorage', 'localStorage'] as const) {
    const entry = (await storageOf(page, area)).find(([key]) => key.startsWith('oidc.user:'));
    if (entry) return (JSON.parse(entry[1]) as { access_token: string }).access_token;
  }
  throw new Error('no signed-in user in the page\'s storage');
}

/** A JSON Web Token's shape: three base64url parts, the first a JSON header ("eyJ"). */
export const LOOKS_LIKE_A_JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;

/** Clicks a button confirmed in a dialog (ConfirmButton): the button, then the dialog's button of the same name. */
export async function confirm(page: Page, label: string): Promise<void> {
  await page.getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('dialog', { name: `${label}?` }).getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('dialog', { name: `${label}?` }).waitFor({ state: 'hidden' });
}

/** The overview's region "Calls this month" and the count it shows ("1 call", "1,234 calls"). */
export const CALL_COUNT = /([\d,]+)\s+calls?\b/;

export function callsRegion(page: Page) {
  return page.getByRole('region', { name: 'Calls this month', exact: true });
}

/** This month's calls as the overview shows them, once it shows them. */
export async function callsThisMonth(page: Page): Promise<number> {
  const shown = callsRegion(page).getByText(CALL_COUNT);
  await shown.waitFor();
  return Number(CALL_COUNT.exec(await shown.innerText())?.[1].replace(/,/g, ''));
}

/**
 * Whether a mark is drawn where a person sees it: a box with an area, within the photo it marks (the Result's
 * first photo, or the `index`th: faces.compare shows two).
 */
export async function drawnInsidePicture(page: Page, mark: Locator, index = 0): Promise<boolean> {
  // A box's own rectangle: its caption may stand outside the photo (above a box at the top, past the right edge).
  const outline = mark.locator('rect');
  const box = await ((await outline.count()) === 1 ? outline : mark).boundingBox();
  const picture = await page.getByRole('img', { name: 'Result', exact: true }).evaluate((element, which) => {
    const shown = (element as unknown as InPageElement).querySelectorAll('img')[which]?.getBoundingClientRect();
    return shown ? { x: shown.left, y: shown.top, width: shown.width, height: shown.height } : null;
  }, index);
  if (!box || !picture) return false;
  // Up to 2 px out: a box along the photo's edge has half its outline (a 2.5 px stroke) beyond it.
  const within = (start: number, length: number, outerStart: number, outerLength: number) => start >= outerStart - 2 && start + length <= outerStart + outerLength + 2;
  return box.width > 2 && box.height > 2 && within(box.x, box.width, picture.x, picture.width) && within(box.y, box.height, picture.y, picture.height);
}

/** What the gateway answers a call with `secret` (a face photo to faces.detect unless told): its HTTP status. */
export async function gatewayStatus(gatewayUrl: string, secret: string, path = '/v1/faces/detect', body: Buffer = fixture('grace_hopper.jpg')): Promise<number> {
  const answer = await fetch(`${gatewayUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'image/jpeg' }, body });
  await answer.arrayBuffer();
  return answer.status;
}
