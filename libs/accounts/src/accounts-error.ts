/** What can go wrong in the accounts lib, as a closed set; each app maps these codes to its own errors. */
export const AccountsErrorCode = Object.freeze({
  /** The thing does not exist, or it belongs to a workspace the caller is not a member of. */
  NotFound: 'not_found',
  /** The caller asked for something the rules refuse (bad scope, past expiry, malformed overlap...). */
  InvalidRequest: 'invalid_request',
  /** The caller is a member of the workspace but the action needs its owner role (or, for a key, to be its creator). */
  OwnerOnly: 'owner_only',
  /** The action conflicts with the current state (already a member, already invited, invitation expired, a workspace at its plan's key limit, the last owner, a revoked or expired key to rotate...); the message says how to resolve it. */
  Conflict: 'conflict',
  /** The sign-in's email already belongs to a user linked to another identity provider subject. */
  IdentityConflict: 'identity_conflict',
} as const);
export type AccountsErrorCode = (typeof AccountsErrorCode)[keyof typeof AccountsErrorCode];

export class AccountsError extends Error {
  constructor(
    readonly code: AccountsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccountsError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from URLs: anything that is not a uuid names nothing (and never reaches a query as a type error). */
export function requireId(id: string, what: string): string {
  if (!UUID.test(id)) throw notFound(what);
  return id.toLowerCase();
}

export function notFound(what: string): AccountsError {
  return new AccountsError(AccountsErrorCode.NotFound, `There is no such ${what}.`);
}

export function invalid(message: string): AccountsError {
  return new AccountsError(AccountsErrorCode.InvalidRequest, message);
}

export function conflict(message: string): AccountsError {
  return new AccountsError(AccountsErrorCode.Conflict, message);
}
