import { randomUUID } from 'node:crypto';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import type { WebConsoleSystem } from '@nomosly/testing';
import {
  CALL_COUNT,
  type InPage,
  LOOKS_LIKE_A_JWT,
  PAGES,
  accessTokenOf,
  callsRegion,
  newPersonContext,
  openPage,
  screenshotBothWidths,
  signInThroughIdp,
  startSystemAndBrowser,
  storageOf,
} from './browser';
import { firstPageBundle } from './bundle';
import { putWorkspaceToUse } from './console-api';

/** Every page of the console, signed in, in real Chromium: P12's cookies, accessibility, screenshots, the security headers. */
describe('the web console in Chromium: every page', () => {
  let system: WebConsoleSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Every answer of the console's origin this context saw, for its Set-Cookie headers. */
  const consoleAnswers: Response[] = [];

  beforeAll(async () => {
    ({ system, browser } = await startSystemAndBrowser('web-pages'));
    context = await newPersonContext(browser);
    context.on('response', (response) => {
      if (new URL(response.url()).origin === system.consoleUrl) consoleAnswers.push(response);
    });
    page = await context.newPage();
    await signInThroughIdp(page, system.consoleUrl, `pages-${randomUUID().slice(0, 8)}@browser.test`);
    await putWorkspaceToUse(system.consoleUrl, system.gatewayUrl, await accessTokenOf(page));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('P12: after sign-in every cookie on every origin is on the privacy page\'s strictly necessary list; the console sets none', async () => {
    const cookies = await context.cookies();
    const notice = (await (await fetch(`${system.consoleUrl}/api/privacy`)).json()) as { cookies: Array<{ name: string }> };
    const listed = new Set(notice.cookies.flatMap((cookie) => cookie.name.split(',').map((name) => name.trim())));
    expect(cookies.map((cookie) => cookie.name).filter((name) => !listed.has(name))).toEqual([]);

    // The console's own origin never asks for a cookie (cookies ignore ports, so it is told by its answers).
    expect(consoleAnswers.length).toBeGreaterThan(0);
    const setByConsole = await Promise.all(consoleAnswers.map(async (answer) => ({ url: answer.url(), setCookie: await answer.headerValue('set-cookie') })));
    expect(setByConsole.filter((answer) => answer.setCookie !== null)).toEqual([]);

    // The rendered privacy page names each cookie the browser holds.
    await openPage(page, 'Privacy');
    for (const name of new Set(cookies.map((cookie) => cookie.name))) {
      await page.getByRole('main').getByText(name).first().waitFor();
    }
  });

  it('P12: no token in localStorage or in any cookie (the session lives in this tab\'s sessionStorage)', async () => {
    await openPage(page, 'Overview');
    const token = await accessTokenOf(page);
    expect(token).toMatch(LOOKS_LIKE_A_JWT);
    expect((await storageOf(page, 'sessionStorage')).filter(([key, value]) => key.startsWith('oidc.user:') && value.includes(token))).toHaveLength(1);
    const local = await storageOf(page, 'localStorage');
    expect(local.filter(([key, value]) => value.includes(token) || LOOKS_LIKE_A_JWT.test(value) || /token/i.test(key))).toEqual([]);
    const cookies = await context.cookies();
    expect(cookies.filter((cookie) => cookie.value.includes(token) || LOOKS_LIKE_A_JWT.test(decodeURIComponent(cookie.value)))).toEqual([]);
  });

  describe.each(PAGES)('$name', ({ name }) => {
    it(`axe finds no serious or critical violation on ${name}, at 1280 and at 360 px wide`, async () => {
      await openPage(page, name);
      const wide = await severeAxeViolations(page, name);
      await page.setViewportSize({ width: 360, height: 800 });
      try {
        const narrow = await severeAxeViolations(page, `${name} at 360 px`);
        expect({ wide, narrow }).toEqual({ wide: [], narrow: [] });
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });

    it(`a screenshot of ${name} at 1280 and 360 px wide`, async () => {
      await openPage(page, name);
      const files = await screenshotBothWidths(page, name.toLowerCase().replace(/\s+/g, '-'));
      expect(files).toHaveLength(2);
    });
  });

  it('axe finds no serious or critical violation in the dialogs: Create key, Invite, and a confirmation (Revoke?)', async () => {
    const dialogs: Array<{ page: string; open: string; dialog: string; row?: boolean }> = [
      { page: 'API keys', open: 'Create key', dialog: 'Create key' },
      { page: 'API keys', open: 'Revoke', dialog: 'Revoke?', row: true },
      { page: 'Members', open: 'Invite', dialog: 'Invite someone to this workspace' },
    ];
    const found: Record<string, unknown[]> = {};
    for (const { page: pageName, open, dialog: dialogName, row } of dialogs) {
      await openPage(page, pageName);
      const scope = row ? page.getByRole('row').filter({ hasText: 'production' }) : page.getByRole('main');
      await scope.getByRole('button', { name: open, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: dialogName, exact: true });
      await dialog.waitFor();
      found[dialogName] = await severeAxeViolations(page, `dialog ${dialogName}`);
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
    }
    expect(found).toEqual({ 'Create key': [], 'Revoke?': [], 'Invite someone to this workspace': [] });
  });

  it('axe finds no serious or critical violation on the signed-out page, at 1280 and at 360 px wide', async () => {
    const signedOut = await newPersonContext(browser);
    try {
      const visitor = await signedOut.newPage();
      await visitor.goto(`${system.consoleUrl}/overview`);
      await visitor.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      await visitor.getByRole('heading', { level: 1, name: "Sign in to see this month's usage", exact: true }).waitFor();
      const wide = await severeAxeViolations(visitor, 'signed out');
      await visitor.setViewportSize({ width: 360, height: 800 });
      const narrow = await severeAxeViolations(visitor, 'signed out at 360 px');
      expect({ wide, narrow }).toEqual({ wide: [], narrow: [] });
    } finally {
      await signedOut.close();
    }
  });

  it('FIGURE: time to interactive of the overview on a cold load (no cache), and the first page\'s bundle (gzip)', async () => {
    // A new context (empty cache) with this tab's session copied in before any script runs: a signed-in cold load.
    const session = await storageOf(page, 'sessionStorage');
    const cold = await newPersonContext(browser);
    try {
      await cold.addInitScript((entries: Array<[string, string]>) => {
        const { sessionStorage } = globalThis as unknown as InPage;
        for (const [key, value] of entries) if (sessionStorage.getItem(key) === null) sessionStorage.setItem(key, value);
      }, session);
      // Every long task (50 ms or more on the main thread) from the start of the load, with when it ended.
      await cold.addInitScript(() => {
        const seen = globalThis as unknown as LongTasksSeen & LongTaskObserving;
        seen.longTaskEnds = [];
        new seen.PerformanceObserver((list) => {
          for (const entry of list.getEntries()) seen.longTaskEnds.push(entry.startTime + entry.duration);
        }).observe({ type: 'longtask', buffered: true });
      });
      const coldPage = await cold.newPage();
      await coldPage.goto(`${system.consoleUrl}/overview`, { waitUntil: 'commit' });
      await coldPage.getByRole('heading', { level: 1, name: 'Overview', exact: true }).waitFor();
      await callsRegion(coldPage).getByText(CALL_COUNT).waitFor();
      const visibleMs = await coldPage.evaluate(() => performance.now());
      // Interactive: the end of the last long task before the main thread stays quiet for QUIET_MS, or the moment
      // the page showed its numbers if no long task came after it (a figure, not a bound: nothing here can fail on time).
      const interactiveMs = await coldPage.evaluate(
        ({ shownAt, quietMs }) =>
          new Promise<number>((resolve) => {
            const seen = globalThis as unknown as LongTasksSeen;
            const look = () => {
              const lastBusy = Math.max(shownAt, ...seen.longTaskEnds);
              if (performance.now() - lastBusy >= quietMs) resolve(lastBusy);
              else setTimeout(look, 50);
            };
            look();
          }),
        { shownAt: visibleMs, quietMs: QUIET_MS },
      );
      const longTasks = await coldPage.evaluate(() => (globalThis as unknown as LongTasksSeen).longTaskEnds.length);
      const bundle = firstPageBundle();
      console.log(`FIGURE overview visible (cold load, navigation start to heading and call count shown): ${Math.round(visibleMs)} ms`);
      console.log(
        `FIGURE overview time to interactive (cold load, end of the last long task before ${QUIET_MS} ms of quiet main thread; ${longTasks} long tasks in all): ${Math.round(interactiveMs)} ms`,
      );
      console.log(`FIGURE first page bundle: ${bundle.files.length} files, ${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzip`);
      expect(interactiveMs).toBeGreaterThanOrEqual(visibleMs);
      expect(bundle.gzipBytes).toBeGreaterThan(0);
    } finally {
      await cold.close();
    }
  });

  it('a strict Content-Security-Policy on the page and on an API answer', async () => {
    const home = await page.goto(`${system.consoleUrl}/`);
    const api = await fetch(`${system.consoleUrl}/api/privacy`);
    for (const policy of [await home?.headerValue('content-security-policy'), api.headers.get('content-security-policy')]) {
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("style-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toContain('unsafe-inline');
    }
    // The page may fetch only from its own origin, the identity provider and the gateway.
    const connect = /connect-src ([^;]+)/.exec((await home?.headerValue('content-security-policy')) ?? '')?.[1].split(' ');
    expect(connect?.sort()).toEqual(["'self'", system.gatewayUrl, system.issuerUrl].sort());
    expect(await home?.headerValue('x-content-type-options')).toBe('nosniff');
  });

  it('pages are never cached, hashed assets for a year, and a missing asset not at all', async () => {
    const home = await fetch(`${system.consoleUrl}/keys`);
    expect(home.headers.get('cache-control')).toBe('no-cache');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await home.text())?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${system.consoleUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${system.consoleUrl}/assets/index-NOTDEPLOYED.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control') ?? '').not.toContain('immutable');
  });

  it('an unknown page path gets the app, which shows its not-found page; an unknown /api path and a missing asset stay a 404', async () => {
    for (const unknown of ['/foo', '/keys/extra']) {
      const answer = await fetch(`${system.consoleUrl}${unknown}`);
      expect({ unknown, status: answer.status, type: answer.headers.get('content-type') }).toEqual({ unknown, status: 200, type: 'text/html; charset=utf-8' });
      expect(await answer.text()).toMatch(/src="\/assets\/[^"]+\.js"/);
      await page.goto(`${system.consoleUrl}${unknown}`);
      await page.getByRole('heading', { level: 1, name: 'Page not found', exact: true }).waitFor();
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Overview', exact: true }).waitFor();
    }
    for (const unknown of ['/api/nothing-here', '/api/workspaces/x/nothing', '/api', '/%61pi/nothing-here', '/%61%70%69']) {
      const answer = await fetch(`${system.consoleUrl}${unknown}`);
      expect({ unknown, status: answer.status, type: answer.headers.get('content-type') }).toEqual({ unknown, status: 404, type: expect.stringMatching(/^application\/json/) });
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    for (const missing of ['/assets/index-NOTDEPLOYED.js', '/assets/deeper/index-NOTDEPLOYED.js', '/%61ssets/deeper/index-NOTDEPLOYED.js']) {
      const answer = await fetch(`${system.consoleUrl}${missing}`);
      expect({ missing, status: answer.status }).toEqual({ missing, status: 404 });
      expect(await answer.text()).not.toContain('<html');
    }
  });

  it('a newcomer signs in with two clicks: Sign in on the console, Sign in on the filled-in form', async () => {
    const newcomer = await newPersonContext(browser);
    try {
      const first = await newcomer.newPage();
      await first.goto(system.consoleUrl);
      await first.getByRole('button', { name: 'Sign in', exact: true }).click();
      expect(await first.getByLabel('Email', { exact: true }).inputValue()).toBe(system.defaultEmail);
      await first.getByRole('button', { name: 'Sign in', exact: true }).click();
      await first.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
      await first.getByRole('banner').getByText(system.defaultEmail, { exact: true }).waitFor();
      expect(new URL(first.url()).pathname).toBe('/overview');
    } finally {
      await newcomer.close();
    }
  });

  it('the callback with a tampered state fails with a message, and nobody is signed in', async () => {
    const tampered = await newPersonContext(browser);
    try {
      // The state the console sent is changed on its way to the identity provider, which hands it back with a real code.
      await tampered.route(`${system.issuerUrl}/**`, async (route) => {
        const url = new URL(route.request().url());
        const state = url.searchParams.get('state');
        if (state === null || route.request().method() !== 'GET') return route.continue();
        url.searchParams.set('state', `${state}-tampered`);
        await route.continue({ url: url.toString() });
      });
      const attacked = await tampered.newPage();
      await attacked.goto(`${system.consoleUrl}/overview`);
      await attacked.getByRole('button', { name: 'Sign in', exact: true }).click();
      await attacked.getByLabel('Email', { exact: true }).fill(`tampered-${randomUUID().slice(0, 8)}@browser.test`);
      await attacked.getByRole('button', { name: 'Sign in', exact: true }).click();
      await attacked.getByRole('alert').filter({ hasText: /Sign in to try again/ }).waitFor();
      // It was the console's check that refused: the provider did send a code back, with the changed state.
      const callback = new URL(attacked.url());
      expect(callback.pathname).toBe('/callback');
      expect(callback.searchParams.get('code')).toBeTruthy();
      expect(callback.searchParams.get('state')).toMatch(/-tampered$/);
      expect((await storageOf(attacked, 'sessionStorage')).filter(([key]) => key.startsWith('oidc.user:'))).toEqual([]);
    } finally {
      await tampered.close();
    }
  });
});

/** The quiet main thread that ends the time to interactive: no long task for this long. */
const QUIET_MS = 500;

/** What the overview's init script keeps: the end (ms since navigation start) of each long task seen. */
interface LongTasksSeen {
  longTaskEnds: number[];
}

/** The page's PerformanceObserver, which (unlike these node typings') knows the entry type `longtask`. */
interface LongTaskObserving {
  PerformanceObserver: new (callback: (list: { getEntries(): Array<{ startTime: number; duration: number }> }) => void) => {
    observe(options: { type: 'longtask'; buffered: boolean }): void;
  };
}

/** axe-core's serious and critical violations on the page as it is now; prints the FIGURE line for `label`. */
async function severeAxeViolations(page: Page, label: string): Promise<Array<{ id: string; impact: unknown; help: string; targets: string[] }>> {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.map((node) => node.target.join(' ')) }));
  const ids = results.violations.map((violation) => `${violation.id} (${violation.impact ?? 'no impact'})`).join(', ');
  console.log(`FIGURE axe ${label}: ${results.violations.length} violations (${severe.length} serious or critical), ${results.passes.length} rules passed${ids ? `: ${ids}` : ''}`);
  return severe;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
