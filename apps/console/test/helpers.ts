import { randomUUID } from 'node:crypto';
import { type EmailVerification, POLAR_NOT_CALLED_ENV, type RunningApp, TEST_DATABASE_URL, TEST_REDIS_URL, type TestIssuer, signInClaims, startApp, startTestIssuer, unzipText } from '@nomosly/testing';

export interface ConsoleUnderTest {
  console: RunningApp;
  issuer: TestIssuer;
  stop(): Promise<void>;
}


/** The built console against the real PostgreSQL and Redis, trusting a local test issuer. */
export async function startConsoleUnderTest(env: Record<string, string> = {}): Promise<ConsoleUnderTest> {
  const issuer = await startTestIssuer();
  const running = await startApp('console', {
    DATABASE_URL: TEST_DATABASE_URL,
    EVENTS_REDIS_URL: TEST_REDIS_URL,
    OIDC_ISSUER: issuer.issuer,
    OIDC_AUDIENCE: issuer.audience,
    ...POLAR_NOT_CALLED_ENV,
    ...env,
  });
  return {
    console: running,
    issuer,
    stop: async () => {
      await running.stop();
      await issuer.stop();
    },
  };
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string; requestId: string } };
  text: string;
  headers: Headers;
}

export async function call(baseUrl: string, token: string | null, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  // A zip (the export) is searched as what it holds: its compressed bytes would never show a secret.
  const text = type.startsWith('application/zip')
    ? [...(await unzipText(bytes))].map(([name, content]) => `${name}\n${content}`).join('\n')
    : bytes.toString('utf8');
  const json = text !== '' && type.includes('json');
  return { status: response.status, body: json ? (JSON.parse(text) as ApiResponse['body']) : {}, text, headers: response.headers };
}

export interface TestUser {
  token: string;
  userId: string;
  email: string;
  /** Their personal workspace, made at first sign-in. */
  workspaceId: string;
  call(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

/**
 * A new person who signs in once (GET /api/me), which provisions their user and personal workspace; their email
 * is verified unless `verification` says otherwise.
 */
export async function signIn(
  baseUrl: string,
  issuer: TestIssuer,
  label: string,
  email?: string,
  verification: EmailVerification = 'verified',
): Promise<TestUser> {
  const address = email ?? `${label}-${randomUUID().slice(0, 8)}@console.test`;
  const token = await issuer.token(signInClaims(`sub-${randomUUID()}`, address, { name: label, email: verification }));
  const me = await call(baseUrl, token, 'GET', '/api/me');
  if (me.status !== 200) throw new Error(`sign-in failed: ${me.status} ${me.text}`);
  const user = me.body.user as { id: string };
  const workspaces = me.body.workspaces as Array<{ id: string; role: string }>;
  const own = workspaces.find((workspace) => workspace.role === 'owner');
  if (!own) throw new Error('no personal workspace after sign-in');
  return {
    token,
    userId: user.id,
    email: address,
    workspaceId: own.id,
    call: (method, path, body) => call(baseUrl, token, method, path, body),
  };
}
