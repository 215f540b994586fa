import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { WorkspaceAccessService } from '@nomosly/accounts';
import { type SignedInRequest, signedInUserOf } from './signed-in';

const OWNER_ONLY = Symbol('owner-only');

/** Marks a handler that needs the owner role in its workspace; members get 403 `insufficient_scope`. */
export const OwnerOnly = () => SetMetadata(OWNER_ONLY, true);

/**
 * Every route under /api/workspaces/:ws: the caller must be a member of `:ws`, or the workspace does not exist
 * for them (404, checked before the body is validated, so nothing about another workspace is ever revealed).
 */
@Injectable()
export class WorkspaceMemberGuard implements CanActivate {
  constructor(
    private readonly access: WorkspaceAccessService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SignedInRequest & { params: Record<string, string> }>();
    const workspaceId = request.params.ws;
    if (workspaceId === undefined) throw new Error('WorkspaceMemberGuard on a route without :ws');
    const { userId } = signedInUserOf(request);
    if (this.reflector.get<boolean>(OWNER_ONLY, context.getHandler())) await this.access.requireOwner(workspaceId, userId);
    else await this.access.requireMember(workspaceId, userId);
    return true;
  }
}
