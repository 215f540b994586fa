import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, TEST_DATABASE_URL, TEST_REDIS_URL } from '@nomosly/testing';
import { openApiDocument } from '../src/docs/openapi';

/** What the gateway serves besides the API: its reference, health, metrics and the queue board. */
const NOT_THE_API = /^\/(openapi\.json|docs(\/.*)?|healthz|readyz|metrics|ops(\/.*)?)$/;

/**
 * The built gateway, initialised in a node process of its own (jest cannot load the ES modules the queue board
 * needs) and closed, printing every route it registers as Fastify sees it.
 */
const PRINT_ROUTES = `
const { Writable } = require('node:stream');
const { createGateway } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/apps/gateway/src/bootstrap.js'))});
const { loadGatewayConfig } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/apps/gateway/src/config.js'))});
(async () => {
  const app = await createGateway(loadGatewayConfig(process.env), new Writable({ write: (_chunk, _encoding, done) => done() }));
  const routes = [];
  app.getHttpAdapter().getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push(method + ' ' + route.url);
  });
  try {
    await app.init();
  } finally {
    await app.close();
  }
  process.stdout.write(JSON.stringify(routes));
})().catch((error) => { console.error(error); process.exit(1); });
`;

async function registeredRoutes(): Promise<string[]> {
  const env = {
    ...process.env,
    DATABASE_URL: TEST_DATABASE_URL,
    VISION_REDIS_URL: TEST_REDIS_URL,
    EVENTS_REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `openapi-${randomUUID().slice(0, 8)}`,
    // With the queue board mounted, so that its routes are among those seen.
    OPS_PASSWORD: randomUUID(),
    LOG_LEVEL: 'warn',
  };
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', PRINT_ROUTES], { cwd: REPO_ROOT, env, timeout: 110_000 });
  return JSON.parse(stdout) as string[];
}

describe("the gateway's OpenAPI document", () => {
  it('documents every API route the gateway registers, with its method, and no route it does not register', async () => {
    const routes = await registeredRoutes();
    expect(routes).toEqual(expect.arrayContaining(['GET /openapi.json', 'GET /docs', 'GET /healthz']));
    const api = routes.filter((route) => !route.startsWith('HEAD ') && !NOT_THE_API.test(route.split(' ')[1]));
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.length).toBe(4);
    expect(documented.sort()).toEqual([...new Set(api)].sort());
  }, 120_000); // a whole gateway starts in the child: slow on a loaded machine
});
