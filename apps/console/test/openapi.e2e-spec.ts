import { z } from 'zod';
import { consoleOpenApiDocument } from '../src/openapi/console-openapi';
import { type ConsoleUnderTest, call, signIn, startConsoleUnderTest } from './helpers';
import { type PolarForConsole, startPolarForConsole } from './polar';
import { walkEveryRoute } from './route-walk';
import { type ConsoleRoute, isApiReference, registeredApiRoutes } from './routes';

interface DocumentedResponse {
  $ref?: string;
  content?: Record<string, { schema: { $ref?: string } }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, DocumentedResponse>; security?: unknown[] }>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, DocumentedResponse> };
}

const document = consoleOpenApiDocument() as unknown as OpenApiDocument;

/** `GET /api/workspaces/{ws}/keys`, as the document writes the route Fastify registers as `/api/workspaces/:ws/keys`. */
const asDocumented = (method: string, url: string) => `${method.toUpperCase()} ${url.replace(/:(\w+)/g, '{$1}')}`;

const documentedOperations = () =>
  Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => asDocumented(method, path)));

/** The document's component schemas as one JSON Schema, to check a real answer against the one it documents. */
const components = JSON.parse(JSON.stringify(document.components.schemas).replaceAll('#/components/schemas/', '#/$defs/')) as Record<string, z.core.JSONSchema.JSONSchema>;
const schemaNamed = (name: string) => z.fromJSONSchema({ $defs: components, $ref: `#/$defs/${name}` });

/** What the document says `status` of `operation` answers: a JSON schema's name, or another content type. */
function documentedAnswer(call: string, status: number): { json?: string; contentType?: string } | undefined {
  const [method, path] = call.split(' ');
  const documentedPath = asDocumented(method, path).split(' ')[1];
  let response = document.paths[documentedPath]?.[method.toLowerCase()]?.responses[String(status)];
  if (response?.$ref) response = document.components.responses[response.$ref.split('/').at(-1) ?? ''];
  if (!response) return undefined;
  const [contentType, media] = Object.entries(response.content ?? {})[0] ?? [];
  const ref = media?.schema.$ref;
  return ref ? { json: ref.split('/').at(-1) } : { contentType };
}

describe('the Console API document is the Console API', () => {
  let polar: PolarForConsole;
  let system: ConsoleUnderTest;
  let routes: ConsoleRoute[];
  beforeAll(async () => {
    polar = await startPolarForConsole();
    system = await startConsoleUnderTest(polar.env);
    routes = await registeredApiRoutes(system.issuer);
  }, 180_000);
  afterAll(async () => {
    await system?.stop();
    await polar?.stop();
  });

  it('documents every /api route the console registers, with its method, and no route it does not register', () => {
    const registered = routes.filter((route) => route.method !== 'HEAD' && !isApiReference(route)).map((route) => asDocumented(route.method, route.url));
    expect(registered.length).toBeGreaterThanOrEqual(27);
    expect(documentedOperations().sort()).toEqual([...new Set(registered)].sort());
  });

  it('serves the document at /api/openapi.json without signing in, and the reference at /api/docs under the console CSP', async () => {
    const served = await call(system.console.url, null, 'GET', '/api/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(document)));

    const page = await fetch(`${system.console.url}/api/docs`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    const html = await page.text();
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=|<script\b[^>]*>[^<]/i);
    const references = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((match) => match[1]).sort();
    expect(references).toEqual(['/api/docs/assets/start.js', '/api/docs/assets/swagger-ui-bundle.js', '/api/docs/assets/swagger-ui.css']);
    for (const reference of references) expect({ reference, status: (await fetch(`${system.console.url}${reference}`)).status }).toEqual({ reference, status: 200 });
    expect(await (await fetch(`${system.console.url}/api/docs/assets/start.js`)).text()).toContain("url: '/api/openapi.json'");
    expect((await fetch(`${system.console.url}/api/docs/assets/package.json`)).status).toBe(404);
  });

  it('every route, called validly, answers the status the document gives it and a body its schema accepts (no field more, none less)', async () => {
    const user = await signIn(system.console.url, system.issuer, 'openapi-walk');
    const key = await user.call('POST', `/api/workspaces/${user.workspaceId}/keys`, { name: 'to revoke' });
    const walked = await walkEveryRoute(system.console.url, system.issuer, user, routes, (key.body.key as { id: string }).id);
    const mismatches = walked
      .filter((answer) => !answer.call.startsWith('GET /api/openapi.json') && !answer.call.startsWith('GET /api/docs'))
      .flatMap(({ call, status, text }): Array<{ call: string; status: number; problem: string; detail: unknown }> => {
        const documented = documentedAnswer(call, status);
        if (!documented) return [{ call, status, problem: 'this status is not documented', detail: text }];
        if (!documented.json) return [];
        const parsed = schemaNamed(documented.json).safeParse(JSON.parse(text));
        return parsed.success ? [] : [{ call, status, problem: `not a ${documented.json}`, detail: parsed.error.issues }];
      });
    expect(mismatches).toEqual([]);
    expect(walked.length).toBeGreaterThanOrEqual(documentedOperations().length);
  });

  it('refusals carry the documented error body', async () => {
    const user = await signIn(system.console.url, system.issuer, 'openapi-errors');
    const answers = [
      { call: 'GET /api/me', response: await call(system.console.url, null, 'GET', '/api/me') },
      { call: 'GET /api/workspaces/:ws/keys', response: await user.call('GET', '/api/workspaces/00000000-0000-4000-8000-000000000000/keys') },
      { call: 'POST /api/workspaces/:ws/keys', response: await user.call('POST', `/api/workspaces/${user.workspaceId}/keys`, { name: '' }) },
      { call: 'PATCH /api/me', response: await user.call('PATCH', '/api/me', { email: 'someone@else.test' }) },
    ];
    expect(answers.map(({ response }) => response.status)).toEqual([401, 404, 400, 400]);
    for (const { call: route, response } of answers) {
      expect(documentedAnswer(route, response.status)).toEqual({ json: 'Error' });
      expect(schemaNamed('Error').safeParse(response.body).error?.issues).toBeUndefined();
    }
  });
});
