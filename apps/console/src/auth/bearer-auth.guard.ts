import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { IdentityService } from '@nomosly/accounts';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { OidcVerifier } from './oidc-verifier';
import type { SignedInRequest } from './signed-in';

/**
 * `Authorization: Bearer <token>` from the identity provider, verified; the first valid sign-in of a person
 * provisions their user and personal workspace.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: OidcVerifier,
    private readonly identities: IdentityService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SignedInRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    if (token === null) throw new PublicError(ErrorCode.Unauthenticated, 'Token missing: send it as "Authorization: Bearer <token>".');
    const user = await this.identities.signIn(await this.verifier.verify(token));
    request.signedIn = { userId: user.id };
    return true;
  }
}

function bearerTokenOf(authorization: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization?.trim() ?? '');
  return match?.[1] ?? null;
}
