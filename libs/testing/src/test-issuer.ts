import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JWTPayload, SignJWT, exportJWK, generateKeyPair } from 'jose';

export interface TokenOptions {
  audience?: string;
  issuer?: string;
  /** Seconds from now; negative for an expired token; null for a token with no `exp` at all. Default 300. */
  expiresIn?: number | null;
  /** Sign with a key the issuer does not publish (a forged token). */
  foreignKey?: boolean;
}

/** How a test says whether the provider verified the email: `email_verified` true, false, or absent. */
export type EmailVerification = 'verified' | 'unverified' | 'absent';

/** The claims of a person's sign-in, as a provider puts them in an access token. */
export function signInClaims(sub: string, email: string, { name, email: verification = 'verified' }: { name?: string; email?: EmailVerification } = {}): JWTPayload {
  return {
    sub,
    email,
    ...(verification === 'absent' ? {} : { email_verified: verification === 'verified' }),
    ...(name === undefined ? {} : { name }),
  };
}

export interface TestIssuer {
  /** The issuer URL: its discovery document is at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly audience: string;
  /**
   * A signed RS256 access token with exactly these claims (sub, email, name...): `email_verified` is there only
   * when given, so a token with it false or absent is an unverified email (see `signInClaims`).
   */
  token(claims: JWTPayload, options?: TokenOptions): Promise<string>;
  /** Times the JWKS was fetched: a verifier is expected to cache it. */
  jwksFetches(): number;
  stop(): Promise<void>;
}

/**
 * A minimal OpenID provider for tests: a discovery document naming a JWKS, and RS256 tokens signed with the
 * published key. Verifiers under test take the production path (discovery, remote JWKS) against it.
 */
export async function startTestIssuer({ audience = 'https://api.nomosly.local' }: { audience?: string } = {}): Promise<TestIssuer> {
  const kid = 'test-key-1';
  const [signing, foreign] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256')]);
  const jwks = { keys: [{ ...(await exportJWK(signing.publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  let fetches = 0;
  let issuer = '';
  const server = http.createServer((request, response) => {
    const send = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/.well-known/openid-configuration') return send({ issuer, jwks_uri: `${issuer}/jwks` });
    if (request.url === '/jwks') {
      fetches++;
      return send(jwks);
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    audience,
    token: (claims, options = {}) => {
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? audience)
        .setIssuedAt();
      if (options.expiresIn !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresIn ?? 300));
      return jwt.sign(options.foreignKey ? foreign.privateKey : signing.privateKey);
    },
    jwksFetches: () => fetches,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
