import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The user a request was authenticated as, left on the request by BearerAuthGuard. */
export interface SignedInUser {
  userId: string;
}

export interface SignedInRequest extends FastifyRequest {
  signedIn?: SignedInUser;
}

export function signedInUserOf(request: SignedInRequest): SignedInUser {
  if (!request.signedIn) throw new Error('route reached without BearerAuthGuard');
  return request.signedIn;
}

/** Handler parameter: the signed-in user. */
export const SignedIn = createParamDecorator((_data: unknown, context: ExecutionContext): SignedInUser =>
  signedInUserOf(context.switchToHttp().getRequest<SignedInRequest>()),
);
