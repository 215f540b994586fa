import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { WorkspaceAccessService } from '@nomosly/accounts';
import { type SignedInRequest, signedInUserOf } from './signed-in';

const OWNER_ONLY = Symbol('owner-only');

interface OwnerOnlyRule {
  /** The route parameter naming a user who may act on themself without being an owner. */
  selfParam?: string;
}

/** Marks a handler that needs the owner role in its workspace; members get 403 `insufficient_scope`. */
export const OwnerOnly = () => SetMetadata(OWNER_ONLY, {} satisfies OwnerOnlyRule);

/** Owner only, except for the member the route's `:param` names, acting on themself. */
export const OwnerOrSelf = (param: string) => SetMetadata(OWNER_ONLY, { selfParam: param } satisfies OwnerOnlyRule);

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
    const rule = this.reflector.get<OwnerOnlyRule | undefined>(OWNER_ONLY, context.getHandler());
    if (!rule) await this.access.requireMember(workspaceId, userId);
    else if (rule.selfParam) await this.access.requireOwnerOrSelf(workspaceId, userId, request.params[rule.selfParam] ?? '');
    else await this.access.requireOwner(workspaceId, userId);
    return true;
  }
}
