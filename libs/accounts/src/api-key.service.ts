import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { generateApiKey } from '@nomosly/api-keys';
import { ALL_SCOPES, isScope } from '@nomosly/contracts';
import { ApiKey, Membership, User, Workspace, WorkspaceRole } from '@nomosly/db';
import { DEFAULT_PLANS, Plans } from '@nomosly/limits';
import { AccountsError, AccountsErrorCode, conflict, invalid, notFound, requireId } from './accounts-error';
import { requireRoomForKey } from './key-room';
import { type KeyView, toKeyView } from './views';

/** The largest per-key daily limit: the column is a 32-bit integer. */
export const MAX_DAILY_LIMIT = 2_147_483_647;

export interface NewKey {
  name: string;
  /** A non-empty subset of the four scopes; all four when absent. */
  scopes?: readonly string[];
  /** Must lie in the future. */
  expiresAt?: Date | null;
  /** Requests per UTC day, a positive whole number; the plan's limits alone when absent. */
  dailyLimit?: number | null;
}

/** A key with its secret, which exists only in this value: it is shown once and stored as a hash (P3). */
export interface IssuedKey {
  key: KeyView;
  secret: string;
}

/** A change every cache of the key must hear about: `hash` is what gateways key their caches by. */
export interface KeyChange {
  key: KeyView;
  hash: string;
}

export const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400;
export const MAX_ROTATION_OVERLAP_SECONDS = 30 * 86_400;
const MAX_KEY_NAME_LENGTH = 100;

/**
 * The API key lifecycle on the database: create, list, revoke, rotate, delete, within one workspace. Any member
 * creates and lists; revoke, rotate and delete are for the workspace's owners and the key's creator.
 */
export class ApiKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly now: () => Date = () => new Date(),
    /** The plans (PLANS) whose maxActiveKeys caps each workspace's active keys. */
    private readonly plans: Plans = new Plans(DEFAULT_PLANS, () => undefined),
  ) {}

  /** Refused (conflict) when the workspace already has its plan's maxActiveKeys active keys. */
  async create(workspaceId: string, createdByUserId: string, input: NewKey): Promise<IssuedKey> {
    const id = requireId(workspaceId, 'workspace');
    const fields = this.validated(input);
    return this.em.fork().transactional(async (tx) => {
      const workspace = await tx.findOne(Workspace, { id });
      if (!workspace) throw notFound('workspace');
      await requireRoomForKey(tx, workspace, createdByUserId, this.plans, this.now());
      const generated = generateApiKey();
      const key = tx.create(ApiKey, {
        workspace,
        createdBy: tx.getReference(User, createdByUserId),
        ...fields,
        prefix: generated.prefix,
        hash: generated.hash,
      });
      await tx.flush();
      return { key: toKeyView(key), secret: generated.secret };
    });
  }

  async list(workspaceId: string): Promise<KeyView[]> {
    const keys = await this.em.fork().getRepository(ApiKey).findAllInWorkspace(requireId(workspaceId, 'workspace'));
    return keys.map(toKeyView);
  }

  /** Revokes the key now; revoking a revoked key changes nothing (it keeps its first revocation time). */
  async revoke(workspaceId: string, keyId: string, byUserId: string): Promise<KeyChange> {
    const em = this.em.fork();
    const key = await this.findManageable(em, workspaceId, keyId, byUserId);
    key.revokedAt ??= this.now();
    await em.flush();
    return { key: toKeyView(key), hash: key.hash };
  }

  /**
   * Issues a new key with the same name, scopes, daily limit and expiry, and lets the old one live on for
   * `overlapSeconds` (0: it is revoked now), so that clients can switch without an outage. Refused (conflict) when
   * the workspace's other active keys already fill its plan's maxActiveKeys, and (not found) when the rotating user
   * is no longer a member.
   */
  async rotate(
    workspaceId: string,
    keyId: string,
    rotatedByUserId: string,
    overlapSeconds = DEFAULT_ROTATION_OVERLAP_SECONDS,
  ): Promise<IssuedKey & { previous: KeyChange }> {
    if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_ROTATION_OVERLAP_SECONDS) {
      throw invalid(`overlapSeconds must be a whole number from 0 to ${MAX_ROTATION_OVERLAP_SECONDS}.`);
    }
    const workspaceUuid = requireId(workspaceId, 'workspace');
    return this.em.fork().transactional(async (tx) => {
      // The workspace's lock before the key's: the order MemberService.remove takes them in, so neither waits on the other forever.
      const workspace = await tx.findOne(Workspace, { id: workspaceUuid }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!workspace) throw notFound('key');
      const old = await this.findManageable(tx, workspaceId, keyId, rotatedByUserId, { lock: true });
      const now = this.now();
      if (old.revokedAt) throw conflict('This key is revoked; create a new key instead.');
      if (old.expiresAt && old.expiresAt <= now) throw conflict('This key has expired; create a new key instead.');
      // The old key does not count: a rotation at the cap works, and its overlap holds the cap + 1 at most.
      await requireRoomForKey(tx, workspace, rotatedByUserId, this.plans, now, { excludingKeyId: old.id });
      const generated = generateApiKey();
      const successor = tx.create(ApiKey, {
        workspace: old.workspace,
        createdBy: tx.getReference(User, rotatedByUserId),
        name: old.name,
        scopes: [...old.scopes],
        dailyLimit: old.dailyLimit,
        expiresAt: old.expiresAt,
        prefix: generated.prefix,
        hash: generated.hash,
      });
      const overlapEnd = new Date(now.getTime() + overlapSeconds * 1000);
      old.expiresAt = old.expiresAt && old.expiresAt < overlapEnd ? old.expiresAt : overlapEnd;
      if (overlapSeconds === 0) old.revokedAt = now;
      await tx.flush();
      return { key: toKeyView(successor), secret: generated.secret, previous: { key: toKeyView(old), hash: old.hash } };
    });
  }

  /** Deletes the key; returns its hash so that caches can drop it. */
  async delete(workspaceId: string, keyId: string, byUserId: string): Promise<KeyChange> {
    const em = this.em.fork();
    const key = await this.findManageable(em, workspaceId, keyId, byUserId);
    const change = { key: toKeyView(key), hash: key.hash };
    em.remove(key);
    await em.flush();
    return change;
  }

  /** The key, when the user may revoke, rotate or delete it: they created it, or they own the workspace. */
  private async findManageable(em: EntityManager, workspaceId: string, keyId: string, userId: string, options: { lock?: boolean } = {}): Promise<ApiKey> {
    const key = await this.find(em, workspaceId, keyId, options);
    if (key.createdBy.id === userId) return key;
    const membership = await em.getRepository(Membership).findOf(key.workspace.id, userId);
    if (membership?.role !== WorkspaceRole.Owner) {
      throw new AccountsError(AccountsErrorCode.OwnerOnly, 'Only an owner of this workspace or the member who created this key can revoke, rotate or delete it.');
    }
    return key;
  }

  private async find(em: EntityManager, workspaceId: string, keyId: string, { lock = false } = {}): Promise<ApiKey> {
    const workspace = requireId(workspaceId, 'workspace');
    const id = requireId(keyId, 'key');
    const key = lock
      ? await em.findOne(ApiKey, { id, workspace }, { lockMode: LockMode.PESSIMISTIC_WRITE })
      : await em.getRepository(ApiKey).findInWorkspace(workspace, id);
    if (!key) throw notFound('key');
    return key;
  }

  private validated(input: NewKey): Pick<ApiKey, 'name' | 'scopes' | 'expiresAt' | 'dailyLimit'> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > MAX_KEY_NAME_LENGTH) throw invalid(`name must be 1 to ${MAX_KEY_NAME_LENGTH} characters.`);
    const scopes = input.scopes === undefined ? [...ALL_SCOPES] : [...new Set(input.scopes)];
    const unknown = scopes.filter((scope) => !isScope(scope));
    if (scopes.length === 0 || unknown.length > 0) {
      throw invalid(`scopes must be a non-empty list of ${ALL_SCOPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}.`);
    }
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt && !(expiresAt.getTime() > this.now().getTime())) throw invalid('expiresAt must lie in the future.');
    const dailyLimit = input.dailyLimit ?? null;
    if (dailyLimit !== null && !(Number.isInteger(dailyLimit) && dailyLimit > 0 && dailyLimit <= MAX_DAILY_LIMIT)) {
      throw invalid(`dailyLimit must be a whole number from 1 to ${MAX_DAILY_LIMIT}.`);
    }
    return { name, scopes, expiresAt, dailyLimit };
  }
}
