import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type IdpStandIn, createKeyWithCli, devToken, freePort, runCli, startIdpStandIn, TEST_DATABASE_URL } from '@nomosly/testing';
import { isLoopbackUrl } from './dev-token';

describe('isLoopbackUrl', () => {
  it.each(['http://127.0.0.1:4455', 'http://127.8.9.10/', 'http://localhost:4455', 'http://[::1]:4455', 'http://127.1:4455'])(
    'accepts %s',
    (url) => expect(isLoopbackUrl(url)).toBe(true),
  );
  it.each([
    'https://nomosly.eu.auth0.com/',
    'http://10.0.0.1:4455',
    'http://128.0.0.1',
    'http://localhost.evil.example',
    'http://127.0.0.1.nip.io',
    'http://[::2]/',
    'not a url',
  ])('refuses %s', (url) => expect(isLoopbackUrl(url)).toBe(false));
});

describe('cli dev-token', () => {
  let idp: IdpStandIn;

  beforeAll(async () => {
    idp = await startIdpStandIn();
  });
  afterAll(async () => {
    await idp?.stop();
  });

  it('prints an access token for the user, alone on its last line', async () => {
    const result = runCli(['dev-token', '--email', 'ada@example.com', '--name', 'Ada'], { OIDC_ISSUER: idp.url });
    expect(result.status).toBe(0);
    const token = result.stdout.trim().split('\n').at(-1) as string;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${idp.url}/jwks`)), { issuer: idp.url, audience: idp.audience });
    expect(payload).toMatchObject({ email: 'ada@example.com', name: 'Ada' });

    const again = await jwtVerify(devToken(`${idp.url}/`, 'ADA@example.com'), createRemoteJWKSet(new URL(`${idp.url}/jwks`)), {
      issuer: idp.url,
      audience: idp.audience,
    });
    expect(again.payload.sub).toBe(payload.sub);
  });

  it('refuses a production issuer before sending anything, in one line, with exit code 2', () => {
    for (const issuer of ['https://nomosly.eu.auth0.com/', 'http://10.1.2.3:4455']) {
      const result = runCli(['dev-token', '--email', 'ada@example.com'], { OIDC_ISSUER: issuer });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([`cli: dev-token only talks to the local identity provider stand-in; OIDC_ISSUER ${issuer} is not on this machine`]);
    }
  });

  it('says how to start the stand-in when none answers', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    const result = runCli(['dev-token', '--email', 'ada@example.com'], { OIDC_ISSUER: issuer });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`cli: no identity provider at ${issuer}: start it with npm run idp-local`);
  });

  it('names the refusal when the client secret is wrong, and needs an email', () => {
    const wrongSecret = runCli(['dev-token', '--email', 'ada@example.com'], { OIDC_ISSUER: idp.url, IDP_CLI_CLIENT_SECRET: 'nope' });
    expect(wrongSecret.status).toBe(1);
    expect(wrongSecret.stderr.trim()).toBe(`cli: the identity provider at ${idp.url} refused the dev token (invalid_client: client authentication failed)`);

    const noEmail = runCli(['dev-token'], { OIDC_ISSUER: idp.url });
    expect(noEmail.status).toBe(2);
    expect(noEmail.stderr).toMatch(/--email <email> is required/);
  });

  it('lists dev-token in --help and keeps keys create working', () => {
    expect(runCli(['--help'], {}).stdout).toMatch(/dev-token --email <email> \[--name <name>\]/);
    expect(createKeyWithCli(TEST_DATABASE_URL, `dev-token-${Date.now()}@test.nomosly.local`)).toMatch(/^nk_live_[0-9A-Za-z]{32}$/);
  });
});
