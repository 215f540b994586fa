import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TEST_DATABASE_URL, TEST_REDIS_URL, type TestIssuer } from '@nomosly/testing';
import { createConsole } from '../src/bootstrap';
import { loadConsoleConfig } from '../src/config';
import { POLAR_NOT_CALLED_ENV } from '@nomosly/testing';

export interface ConsoleRoute {
  method: string;
  url: string;
}

/**
 * The console app in this process, with every route it registers as Fastify sees it, filled in when it starts
 * listening or is initialised: the P11 sweep and the P3 walk cover the routes added later too, with no list to
 * keep.
 */
export async function consoleRecordingRoutes(issuer: TestIssuer): Promise<{ app: NestFastifyApplication; routes: ConsoleRoute[] }> {
  const config = loadConsoleConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    EVENTS_REDIS_URL: TEST_REDIS_URL,
    OIDC_ISSUER: issuer.issuer,
    OIDC_AUDIENCE: issuer.audience,
    // The P11 sweep's billing calls are refused before any reaches Polar: one that got through would answer 503.
    ...POLAR_NOT_CALLED_ENV,
    LOG_LEVEL: 'warn',
  });
  const app = await createConsole(config, new Writable({ write: (_chunk, _encoding, done) => done() }));
  const routes: ConsoleRoute[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    });
  return { app, routes };
}

/**
 * The Console API's OpenAPI document and its rendered reference: the same public files for everyone, naming no
 * workspace and no one, and the only /api routes the document does not list.
 */
export function isApiReference(route: ConsoleRoute): boolean {
  return route.url === '/api/openapi.json' || route.url === '/api/docs' || route.url.startsWith('/api/docs/');
}

/** The console API's routes (under /api), from a table recorded by consoleRecordingRoutes. */
export function apiRoutes(routes: readonly ConsoleRoute[]): ConsoleRoute[] {
  return routes.filter((route) => route.url.startsWith('/api/'));
}

/** Every /api route the console registers, read from the app itself (initialised in this process, then closed). */
export async function registeredApiRoutes(issuer: TestIssuer): Promise<ConsoleRoute[]> {
  const { app, routes } = await consoleRecordingRoutes(issuer);
  try {
    await app.init();
  } finally {
    await app.close();
  }
  return apiRoutes(routes);
}
