import { randomUUID } from 'node:crypto';
import { CLI_CLIENT_ID, DEV_TOKEN_GRANT_TYPE, ErrorCode, PublicError } from '@nomosly/contracts';
import { configProblems } from '@nomosly/config';
import { type IdpStandIn, type TestIssuer, devToken, startIdpStandIn, startTestIssuer } from '@nomosly/testing';
import { type ConsoleConfig, consoleConfigSchema, loadConsoleConfig } from '../config';
import { OidcVerifier } from './oidc-verifier';

/**
 * The verifier as production runs it. A production console refuses an http or loopback issuer at start (the
 * config tests below), and every issuer a test can serve is one: so the verifier is given the config object
 * directly, NODE_ENV=production with a local issuer, and runs its production path (discovery, remote keys,
 * the dev-token refusal) against it.
 */
/** The one variable of the console's own that has no default: Polar's token (these tests never call Polar). */
const POLAR_TOKEN = { POLAR_ACCESS_TOKEN: 'polar_oat_console_test' };

function verifierFor(issuer: string, audience: string, nodeEnv: ConsoleConfig['NODE_ENV']): OidcVerifier {
  return new OidcVerifier({ ...loadConsoleConfig({ ...POLAR_TOKEN, OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience }), NODE_ENV: nodeEnv });
}

async function refusal(verification: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  const error = await verification.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PublicError);
  return { code: (error as PublicError).code, message: (error as PublicError).message };
}

describe('OidcVerifier in production: the local stand-in dev-token grant is refused', () => {
  let idp: IdpStandIn;
  let issuer: TestIssuer;

  beforeAll(async () => {
    [idp, issuer] = await Promise.all([startIdpStandIn(), startTestIssuer()]);
  });
  afterAll(async () => {
    await Promise.all([idp?.stop(), issuer?.stop()]);
  });

  it('refuses a dev-token from idp-local with 401 unauthenticated, which development accepts', async () => {
    const email = `dev-grant-${randomUUID().slice(0, 8)}@console.test`;
    const token = devToken(idp.url, email);
    expect(await refusal(verifierFor(idp.url, idp.audience, 'production').verify(token))).toEqual({
      code: ErrorCode.Unauthenticated,
      message: expect.stringMatching(/dev-token grant/),
    });
    await expect(verifierFor(idp.url, idp.audience, 'development').verify(token)).resolves.toMatchObject({ email });
  });

  it('refuses any token carrying the mark (gty) or the stand-in CLI client, and accepts the others', async () => {
    const production = verifierFor(issuer.issuer, issuer.audience, 'production');
    const claims = { sub: `sub-${randomUUID()}`, email: 'prod@console.test' };
    for (const mark of [{ gty: DEV_TOKEN_GRANT_TYPE }, { client_id: CLI_CLIENT_ID }]) {
      const { code } = await refusal(production.verify(await issuer.token({ ...claims, ...mark })));
      expect({ mark, code }).toEqual({ mark, code: ErrorCode.Unauthenticated });
    }
    await expect(production.verify(await issuer.token({ ...claims, gty: 'authorization_code' }))).resolves.toMatchObject({ email: claims.email });
  });

  it('refuses a token without an expiry with 401 unauthenticated, in every environment', async () => {
    const token = await issuer.token({ sub: `sub-${randomUUID()}`, email: 'forever@console.test' }, { expiresIn: null });
    for (const nodeEnv of ['production', 'development', 'test'] as const) {
      expect(await refusal(verifierFor(issuer.issuer, issuer.audience, nodeEnv).verify(token))).toEqual({
        code: ErrorCode.Unauthenticated,
        message: 'Token invalid: it has no "exp" claim.',
      });
    }
  });
});

describe('console config in production', () => {
  const problemsWith = (environment: Record<string, string>) => configProblems(consoleConfigSchema, { ...POLAR_TOKEN, ...environment });

  it('refuses an http or loopback issuer (and the default, the local stand-in), naming OIDC_ISSUER', () => {
    for (const issuer of [undefined, 'http://127.0.0.1:4455', 'http://idp-local:4455', 'http://tenant.eu.auth0.com/', 'https://localhost:4455', 'https://127.0.0.1/', 'https://[::1]/']) {
      const problems = problemsWith({ NODE_ENV: 'production', ...(issuer ? { OIDC_ISSUER: issuer } : {}) });
      expect({ issuer, problems }).toEqual({ issuer, problems: [expect.stringMatching(/^OIDC_ISSUER: expected the identity provider's https URL in production/)] });
    }
  });

  it('accepts an https issuer elsewhere in production, and a local http issuer in development and tests', () => {
    expect(problemsWith({ NODE_ENV: 'production', OIDC_ISSUER: 'https://tenant.eu.auth0.com/' })).toEqual([]);
    for (const nodeEnv of ['development', 'test']) expect(problemsWith({ NODE_ENV: nodeEnv, OIDC_ISSUER: 'http://127.0.0.1:4455' })).toEqual([]);
  });
});
