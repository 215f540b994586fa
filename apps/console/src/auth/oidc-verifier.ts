import { Inject, Injectable, Logger } from '@nestjs/common';
import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { SignInIdentity } from '@nomosly/accounts';
import { CLI_CLIENT_ID, DEV_TOKEN_GRANT_TYPE, ErrorCode, PublicError } from '@nomosly/contracts';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';

/** Asymmetric algorithms only: a token signed with a shared secret (HS256) or none is never accepted. */
const ALGORITHMS = ['RS256', 'ES256'];
const DISCOVERY_TIMEOUT_MS = 5_000;

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });
const emailSchema = z.email();

/**
 * Verifies the identity provider's access tokens: signature against the provider's published keys (found
 * through its discovery document, fetched once), issuer, audience, expiry (required) and algorithm; in
 * production, also that the token does not come from the local stand-in's dev-token grant.
 */
@Injectable()
export class OidcVerifier {
  private readonly logger = new Logger(OidcVerifier.name);
  private signingKeys: Promise<JWTVerifyGetKey> | null = null;

  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  async verify(token: string): Promise<SignInIdentity> {
    const keys = await this.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.config.OIDC_ISSUER,
        audience: this.config.OIDC_AUDIENCE,
        algorithms: ALGORITHMS,
        // A token without an expiry would be good forever.
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (isProviderFault(error)) throw this.providerUnavailable(error);
      throw new PublicError(ErrorCode.Unauthenticated, `Token invalid: ${reasonOf(error)}`);
    }
    if (this.config.NODE_ENV === 'production' && isDevTokenGrant(payload)) {
      throw new PublicError(ErrorCode.Unauthenticated, "Token invalid: it comes from the local identity provider's dev-token grant, which production does not accept.");
    }
    return this.identityOf(payload);
  }

  private identityOf(payload: JWTPayload): SignInIdentity {
    const claim = this.config.OIDC_EMAIL_CLAIM;
    const email = emailSchema.safeParse(payload[claim]);
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new PublicError(ErrorCode.Unauthenticated, 'Token invalid: it names no subject ("sub").');
    }
    if (!email.success) throw new PublicError(ErrorCode.Unauthenticated, `Token invalid: it carries no email address in "${claim}".`);
    const name = typeof payload.name === 'string' && payload.name.trim() !== '' ? payload.name.trim() : null;
    return { subject: payload.sub, email: email.data, emailVerified: payload[this.config.OIDC_EMAIL_VERIFIED_CLAIM] === true, name };
  }

  /** The provider's key set, from its discovery document; fetched again only after a failed attempt. */
  private keys(): Promise<JWTVerifyGetKey> {
    this.signingKeys ??= this.discover().catch((error: unknown) => {
      this.signingKeys = null;
      throw this.providerUnavailable(error);
    });
    return this.signingKeys;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const url = `${this.config.OIDC_ISSUER.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`discovery document answered ${response.status}`);
    const document = discoverySchema.parse(await response.json());
    if (document.issuer !== this.config.OIDC_ISSUER) {
      throw new Error(`the provider calls itself "${document.issuer}", not OIDC_ISSUER "${this.config.OIDC_ISSUER}"`);
    }
    return createRemoteJWKSet(new URL(document.jwks_uri));
  }

  private providerUnavailable(error: unknown): PublicError {
    if (error instanceof PublicError) return error;
    this.logger.error(`identity provider unreachable at ${this.config.OIDC_ISSUER}: ${(error as Error)?.message ?? String(error)}`);
    return new PublicError(ErrorCode.Unavailable, 'Sign-in cannot be checked right now; try again shortly.', { 'retry-after': '5' });
  }
}

/** The local stand-in marks what its dev-token grant issues (`gty`), and issues it to its CLI client only. */
function isDevTokenGrant(payload: JWTPayload): boolean {
  return payload.gty === DEV_TOKEN_GRANT_TYPE || payload.client_id === CLI_CLIENT_ID;
}

/** The provider's key set could not be fetched or read: our problem, not the caller's token. */
function isProviderFault(error: unknown): boolean {
  return !(error instanceof errors.JOSEError) || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid;
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'it has expired.';
  if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing') return `it has no "${error.claim}" claim.`;
  if (error instanceof errors.JWTClaimValidationFailed) return `its "${error.claim}" claim is not accepted here.`;
  if (error instanceof errors.JOSEAlgNotAllowed) return `it is signed with an algorithm other than ${ALGORITHMS.join(' or ')}.`;
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) {
    return 'its signature does not match the identity provider\'s keys.';
  }
  return 'it is not a well-formed signed token.';
}
