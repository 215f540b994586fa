import { createHash, randomBytes } from 'node:crypto';
import { type JWTPayload, createLocalJWKSet, createRemoteJWKSet, jwtVerify } from 'jose';
import { CLI_CLIENT_ID, CONSOLE_CLIENT_ID, COOKIES, DEV_CLI_CLIENT_SECRET, DEV_TOKEN_GRANT_TYPE } from '@nomosly/contracts';
import { configProblems } from '@nomosly/config';
import { type IdpStandIn, startIdpStandIn } from '@nomosly/testing';
import { DEFAULT_EMAIL, idpConfigSchema } from './config';

const CALLBACK = 'http://127.0.0.1:3002/callback';

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function devTokenGrant(idp: IdpStandIn, fields: Record<string, string>, secret = DEV_CLI_CLIENT_SECRET): Promise<Response> {
  return fetch(`${idp.url}/token`, {
    method: 'POST',
    headers: { authorization: basic(CLI_CLIENT_ID, secret) },
    body: new URLSearchParams({ grant_type: DEV_TOKEN_GRANT_TYPE, ...fields }),
  });
}

async function verifyAccessToken(idp: IdpStandIn, token: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${idp.url}/jwks`));
  const { payload } = await jwtVerify(token, jwks, { issuer: idp.url, audience: idp.audience, typ: 'at+jwt', algorithms: ['RS256'] });
  return payload;
}

describe('idp-local: discovery, keys and the dev-token grant', () => {
  let idp: IdpStandIn;

  beforeAll(async () => {
    idp = await startIdpStandIn();
  });
  afterAll(async () => {
    await idp?.stop();
  });

  it('serves discovery naming itself as issuer, and a JWKS with its RS256 public key only', async () => {
    const discovery = (await (await fetch(`${idp.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: idp.url,
      token_endpoint: `${idp.url}/token`,
      authorization_endpoint: `${idp.url}/auth`,
      jwks_uri: `${idp.url}/jwks`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(discovery.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', DEV_TOKEN_GRANT_TYPE]));

    const { keys } = (await (await fetch(`${idp.url}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(privatePart);
  });

  it('issues a one-hour JWT for the console API carrying the email (verified) and name, with one subject per email', async () => {
    const response = await devTokenGrant(idp, { email: 'Ada.Lovelace@Example.com', name: 'Ada Lovelace' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });

    const claims = await verifyAccessToken(idp, body.access_token);
    // Marked as the dev-token grant's, which a production console refuses.
    expect(claims).toMatchObject({ email: 'ada.lovelace@example.com', email_verified: true, name: 'Ada Lovelace', client_id: CLI_CLIENT_ID, gty: DEV_TOKEN_GRANT_TYPE });
    expect(claims.sub).toMatch(/^local\|[0-9a-f]{24}$/);
    expect(claims.sub).toBe(`local|${createHash('sha256').update('ada.lovelace@example.com').digest('hex').slice(0, 24)}`);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);

    const again = (await (await devTokenGrant(idp, { email: 'ada.lovelace@example.com' })).json()) as { access_token: string };
    const againClaims = await verifyAccessToken(idp, again.access_token);
    expect(againClaims.sub).toBe(claims.sub);
    expect(againClaims.name).toBe('Ada Lovelace');

    const other = (await (await devTokenGrant(idp, { email: 'grace@example.com' })).json()) as { access_token: string };
    expect((await verifyAccessToken(idp, other.access_token)).sub).not.toBe(claims.sub);
  });

  it('refuses a wrong client secret, the console client, a missing email and another audience', async () => {
    const wrongSecret = await devTokenGrant(idp, { email: 'ada@example.com' }, 'not-the-secret');
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: 'invalid_client' });

    const fromConsole = await fetch(`${idp.url}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: DEV_TOKEN_GRANT_TYPE, client_id: CONSOLE_CLIENT_ID, email: 'ada@example.com' }),
    });
    expect(fromConsole.status).toBe(400);
    expect(await fromConsole.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/not allowed/) });

    const noEmail = await devTokenGrant(idp, { email: 'not an email' });
    expect(noEmail.status).toBe(400);
    expect(await noEmail.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/email/) });

    const otherAudience = await devTokenGrant(idp, { email: 'ada@example.com', resource: 'https://elsewhere.example' });
    expect(otherAudience.status).toBe(400);
    expect(await otherAudience.json()).toMatchObject({ error: 'invalid_target' });
  });

  it('keeps its signing key across a restart, so tokens it issued stay valid', async () => {
    const token = ((await (await devTokenGrant(idp, { email: 'ada@example.com' })).json()) as { access_token: string }).access_token;
    const restarted = await startIdpStandIn({ keysFile: idp.keysFile });
    try {
      const jwks = (await (await fetch(`${restarted.url}/jwks`)).json()) as Parameters<typeof createLocalJWKSet>[0];
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: idp.url, audience: idp.audience });
      expect(payload.email).toBe('ada@example.com');
    } finally {
      await restarted.stop();
    }
  });
});

/** Cookies as a browser keeps them for one origin: enough for oidc-provider's session and interaction cookies. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  /** The name of every cookie ever set, kept or since expired. */
  readonly namesSeen = new Set<string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      this.namesSeen.add(name);
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const expired = attributes.some((attribute) => /^\s*expires=/i.test(attribute) && Date.parse(attribute.split('=')[1]) < Date.now());
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** Follows redirects by hand, as a browser would, and stops at the first page or at the console's callback. */
async function browse(jar: CookieJar, url: string, init: RequestInit = {}): Promise<{ url: string; response: Response }> {
  let current = url;
  let request = init;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(current, { ...request, redirect: 'manual', headers: { ...request.headers, cookie: jar.header() } });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status === 200) {
      // oidc-provider's self-submitting form (ending the last person's session when another signs in): a browser
      // runs its script, which posts it.
      const page = await response.clone().text();
      const form = /document\.forms\[0\]\.submit\(\)[\s\S]*<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(page);
      if (form) {
        const fields = [...form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)].map(([, name, value]): [string, string] => [name, value]);
        current = new URL(form[1], current).href;
        request = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
        continue;
      }
    }
    if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
    current = new URL(location, current).href;
    if (current.startsWith(CALLBACK)) return { url: current, response };
    request = {};
  }
  throw new Error(`more than 10 redirects from ${url}`);
}

/** The sign-in form's action and the fields it would submit as it stands (what clicking Sign in sends). */
function formAsShown(page: string): { action: string; fields: Record<string, string> } {
  const form = /<form method="post" action="([^"]+\/login)">([\s\S]*?)<\/form>/.exec(page);
  if (!form) throw new Error(`no sign-in form in:\n${page}`);
  const fields: Record<string, string> = {};
  for (const input of form[2].matchAll(/<input [^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    if (name) fields[name] = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
  }
  return { action: form[1], fields };
}

function pkceChallenge(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('idp-local: the console signs in with the authorization code flow and PKCE', () => {
  let idp: IdpStandIn;

  beforeAll(async () => {
    idp = await startIdpStandIn({ env: { IDP_CONSOLE_REDIRECT_URIS: `${CALLBACK},http://127.0.0.1:3002/other` } });
  });
  afterAll(async () => {
    await idp?.stop();
  });

  function authorizeUrl(challenge: string, state: string): string {
    const params = new URLSearchParams({
      client_id: CONSOLE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    });
    return `${idp.url}/auth?${params}`;
  }

  it('signs in through the form and exchanges the code, with its verifier, for a JWT carrying the email, verified', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const state = randomBytes(8).toString('hex');
    const jar = new CookieJar();

    const form = await browse(jar, authorizeUrl(challenge, state));
    expect(form.response.status).toBe(200);
    const page = await form.response.text();
    const action = /<form method="post" action="([^"]+\/login)"/.exec(page)?.[1];
    expect(action).toMatch(/^\/interaction\/[\w-]+\/login$/);
    expect(page).toContain('nomosly console');

    const signedIn = await browse(jar, new URL(action as string, idp.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'Grace@Example.com', name: 'Grace Hopper' }).toString(),
    });
    expect(signedIn.url.startsWith(CALLBACK)).toBe(true);
    const callback = new URL(signedIn.url);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(idp.url);
    const code = callback.searchParams.get('code') as string;
    expect(code).toBeTruthy();

    const exchange = (codeVerifier: string) =>
      fetch(`${idp.url}/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CONSOLE_CLIENT_ID, code, redirect_uri: CALLBACK, code_verifier: codeVerifier }),
      });
    const wrongVerifier = await exchange(randomBytes(32).toString('base64url'));
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toMatchObject({ error: 'invalid_grant' });

    const tokens = await exchange(verifier);
    expect(tokens.status).toBe(200);
    const body = (await tokens.json()) as { access_token: string; id_token: string; expires_in: number };
    expect(body.expires_in).toBe(3600);
    const claims = await verifyAccessToken(idp, body.access_token);
    expect(claims).toMatchObject({ email: 'grace@example.com', email_verified: true, name: 'Grace Hopper', client_id: CONSOLE_CLIENT_ID });
    expect(claims).not.toHaveProperty('gty');

    // The same person through the CLI's shortcut is the same subject.
    const viaGrant = (await (await devTokenGrant(idp, { email: 'grace@example.com' })).json()) as { access_token: string };
    expect((await verifyAccessToken(idp, viaGrant.access_token)).sub).toBe(claims.sub);
  });

  it('re-shows the form, escaped, when the email is not one', async () => {
    const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    const jar = new CookieJar();
    const form = await browse(jar, authorizeUrl(challenge, 'x'));
    const action = /action="([^"]+\/login)"/.exec(await form.response.text())?.[1] as string;

    const retry = await browse(jar, new URL(action, idp.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: '"><script>alert(1)</script>' }).toString(),
    });
    expect(retry.response.status).toBe(400);
    const page = await retry.response.text();
    expect(page).toContain('Enter an email address.');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&#34;&#62;&#60;script&#62;');
  });

  it('refuses an authorization request without PKCE or to an unregistered redirect URI', async () => {
    const withoutPkce = await fetch(
      `${idp.url}/auth?${new URLSearchParams({ client_id: CONSOLE_CLIENT_ID, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' })}`,
      { redirect: 'manual' },
    );
    const location = new URL(withoutPkce.headers.get('location') as string);
    expect(location.href.startsWith(CALLBACK)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);

    const elsewhere = await fetch(
      `${idp.url}/auth?${new URLSearchParams({ client_id: CONSOLE_CLIENT_ID, response_type: 'code', redirect_uri: 'http://evil.example/cb', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
  });
});

describe('idp-local: a newcomer signs in with two clicks', () => {
  function authorizeUrl(idp: IdpStandIn, challenge: string): string {
    const params = new URLSearchParams({
      client_id: CONSOLE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'two-clicks',
    });
    return `${idp.url}/auth?${params}`;
  }

  /** Opens the form, submits it untouched, and exchanges the code: the email the console's token then carries. */
  async function signInWithoutTyping(idp: IdpStandIn, jar = new CookieJar()): Promise<{ form: Record<string, string>; email: unknown }> {
    const { verifier, challenge } = pkceChallenge();
    const opened = await browse(jar, authorizeUrl(idp, challenge));
    expect(opened.response.status).toBe(200);
    const { action, fields } = formAsShown(await opened.response.text());
    const submitted = await browse(jar, new URL(action, idp.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    expect(submitted.url.startsWith(CALLBACK)).toBe(true);
    const code = new URL(submitted.url).searchParams.get('code') as string;
    const tokens = await fetch(`${idp.url}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CONSOLE_CLIENT_ID, code, redirect_uri: CALLBACK, code_verifier: verifier }),
    });
    expect(tokens.status).toBe(200);
    const claims = await verifyAccessToken(idp, ((await tokens.json()) as { access_token: string }).access_token);
    return { form: fields, email: claims.email };
  }

  it("opens the form with the demo user's email filled in, so submitting it as it is signs in as that user", async () => {
    expect(DEFAULT_EMAIL).toBe('demo@nomosly.local');
    const idp = await startIdpStandIn();
    try {
      const jar = new CookieJar();
      const { form, email } = await signInWithoutTyping(idp, jar);
      expect(form).toEqual({ email: DEFAULT_EMAIL, name: '' });
      expect(email).toBe(DEFAULT_EMAIL);

      // P12: every cookie the sign-in set is on the privacy page's list of strictly necessary cookies.
      const listed = new Set(COOKIES.map((cookie) => cookie.name));
      expect(jar.namesSeen.size).toBeGreaterThan(0);
      expect([...jar.namesSeen].filter((name) => !listed.has(name))).toEqual([]);
      expect([...jar.namesSeen]).toEqual(expect.arrayContaining(['_session', '_session.sig', '_interaction', '_interaction.sig']));
    } finally {
      await idp.stop();
    }
  });

  it('shows the form again at the next sign-in in the same browser (its session kept), where someone else can sign in', async () => {
    const idp = await startIdpStandIn();
    try {
      const jar = new CookieJar();
      expect((await signInWithoutTyping(idp, jar)).email).toBe(DEFAULT_EMAIL);
      expect(jar.header()).toMatch(/_session=/);

      const { verifier, challenge } = pkceChallenge();
      const again = await browse(jar, authorizeUrl(idp, challenge));
      expect(again.response.status).toBe(200);
      const { action, fields } = formAsShown(await again.response.text());
      expect(fields.email).toBe(DEFAULT_EMAIL);
      const signedIn = await browse(jar, new URL(action, idp.url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: 'second@example.com' }).toString(),
      });
      const code = new URL(signedIn.url).searchParams.get('code') as string;
      const tokens = await fetch(`${idp.url}/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CONSOLE_CLIENT_ID, code, redirect_uri: CALLBACK, code_verifier: verifier }),
      });
      expect(tokens.status).toBe(200);
      const claims = await verifyAccessToken(idp, ((await tokens.json()) as { access_token: string }).access_token);
      expect(claims.email).toBe('second@example.com');
      // P12 again: ending the first person's session on the way set no cookie the privacy page does not list.
      const listed = new Set(COOKIES.map((cookie) => cookie.name));
      expect([...jar.namesSeen].filter((name) => !listed.has(name))).toEqual([]);
    } finally {
      await idp.stop();
    }
  });

  it('fills in IDP_DEFAULT_EMAIL instead when it is set, and nothing when it is empty', async () => {
    const [other, none] = await Promise.all([
      startIdpStandIn({ env: { IDP_DEFAULT_EMAIL: 'ops@example.com' } }),
      startIdpStandIn({ env: { IDP_DEFAULT_EMAIL: '' } }),
    ]);
    try {
      expect(await signInWithoutTyping(other)).toEqual({ form: { email: 'ops@example.com', name: '' }, email: 'ops@example.com' });
      const opened = await browse(new CookieJar(), authorizeUrl(none, pkceChallenge().challenge));
      expect(formAsShown(await opened.response.text()).fields).toEqual({ email: '', name: '' });
    } finally {
      await Promise.all([other.stop(), none.stop()]);
    }
  });

  it('refuses an IDP_DEFAULT_EMAIL that is not an email', () => {
    expect(configProblems(idpConfigSchema, { IDP_DEFAULT_EMAIL: 'demo' })).toEqual(['IDP_DEFAULT_EMAIL: expected an email address, or empty for none']);
  });
});

describe('idp-local: configuration', () => {
  it('fails fast at start, naming each bad variable', async () => {
    const started = startIdpStandIn({ env: { IDP_AUDIENCE: 'not a url', IDP_CONSOLE_REDIRECT_URIS: 'ftp://x/cb' } });
    await expect(started).rejects.toThrow(/idp-local exited with 1/);
    const message = await started.catch((error: Error) => error.message);
    expect(message).toMatch(/IDP_AUDIENCE: expected an http or https URL/);
    expect(message).toMatch(/IDP_CONSOLE_REDIRECT_URIS: expected a comma-separated list of http or https URLs/);
  });
});

describe('idp-local: never the production identity provider', () => {
  const problemsWith = (environment: Record<string, string>) => configProblems(idpConfigSchema, environment);

  /** Starts the stand-in expecting it to refuse; one that starts anyway is stopped, not leaked. */
  function refusalToStart(env: Record<string, string>): Promise<IdpStandIn> {
    const started = startIdpStandIn({ env });
    void started.then((idp) => idp.stop(), () => undefined);
    return started;
  }

  it('refuses to start with NODE_ENV=production, whatever else is set', async () => {
    const started = refusalToStart({ NODE_ENV: 'production', IDP_CLI_CLIENT_SECRET: 'a-real-secret', IDP_LOCAL_ALLOW_NETWORK: '1' });
    await expect(started).rejects.toThrow(/idp-local exited with 1[\s\S]*NODE_ENV: idp-local signs anyone in by email alone and never runs in production/);
  });

  it('refuses a non-loopback address unless IDP_LOCAL_ALLOW_NETWORK=1, before it listens', async () => {
    const started = refusalToStart({ HOST: '0.0.0.0' });
    await expect(started).rejects.toThrow(/idp-local exited with 1[\s\S]*HOST: expected a loopback address[\s\S]*IDP_LOCAL_ALLOW_NETWORK=1/);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'idp.example.com']) {
      expect(problemsWith({ HOST: host })).toEqual([expect.stringMatching(/^HOST: expected a loopback address/)]);
      expect(problemsWith({ HOST: host, IDP_LOCAL_ALLOW_NETWORK: '1' })).toEqual([]);
    }
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost']) expect(problemsWith({ HOST: host })).toEqual([]);
  });

  it('has a default client secret in development and tests only', () => {
    expect(problemsWith({ NODE_ENV: 'development' })).toEqual([]);
    expect(problemsWith({ NODE_ENV: 'test' })).toEqual([]);
    expect(problemsWith({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^NODE_ENV: /),
      'IDP_CLI_CLIENT_SECRET: expected a secret: there is no default outside development and tests',
    ]);
    expect(problemsWith({ NODE_ENV: 'production', IDP_CLI_CLIENT_SECRET: 'a-real-secret' })).toEqual([expect.stringMatching(/^NODE_ENV: /)]);
  });
});
