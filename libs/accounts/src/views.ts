import type { ApiKey, Invitation, Membership, User, WorkspaceRole } from '@nomosly/db';

/** A key as its workspace's members see it: metadata only, never the secret or its hash (P3). */
export interface KeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  dailyLimit: number | null;
}

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  marketingOptIn: boolean;
  /** When the account will be purged; null when no deletion is pending. */
  deletionScheduledFor: Date | null;
  /** Processing is restricted: every key of the workspaces the user owns is refused. */
  restricted: boolean;
}

export interface WorkspaceMembershipView {
  id: string;
  name: string;
  role: WorkspaceRole;
}

export interface MemberView {
  userId: string;
  email: string;
  name: string | null;
  role: WorkspaceRole;
  joinedAt: Date;
}

/** A pending invitation as the workspace's members see it. */
export interface InvitationView {
  id: string;
  email: string;
  role: WorkspaceRole;
  createdAt: Date;
  expiresAt: Date;
}

/** A pending invitation as the person it is addressed to sees it. */
export interface ReceivedInvitationView extends InvitationView {
  workspace: { id: string; name: string };
}

export function toKeyView(key: ApiKey): KeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: [...key.scopes],
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
    dailyLimit: key.dailyLimit,
  };
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    marketingOptIn: user.marketingOptIn,
    deletionScheduledFor: user.deletionScheduledFor,
    restricted: user.restrictedAt !== null,
  };
}

/** Needs the membership's user populated. */
export function toMemberView(membership: Membership): MemberView {
  const user = membership.user.getEntity();
  return { userId: user.id, email: user.email, name: user.name, role: membership.role, joinedAt: membership.createdAt };
}

export function toInvitationView(invitation: Invitation): InvitationView {
  const { id, email, role, createdAt, expiresAt } = invitation;
  return { id, email, role, createdAt, expiresAt };
}

/** Needs the invitation's workspace populated. */
export function toReceivedInvitationView(invitation: Invitation): ReceivedInvitationView {
  const workspace = invitation.workspace.getEntity();
  return { ...toInvitationView(invitation), workspace: { id: workspace.id, name: workspace.name } };
}
