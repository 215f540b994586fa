import { EntityRepository } from '@mikro-orm/postgresql';
import type { ApiKey } from '../entities/api-key.entity';

export class ApiKeyRepository extends EntityRepository<ApiKey> {
  /** The key with this hash, whatever its state; callers decide what revoked or expired means. */
  findByHash(hash: string): Promise<ApiKey | null> {
    return this.findOne({ hash }, { populate: ['workspace'] });
  }

  /** The key with this id if it belongs to this workspace; null otherwise, so other workspaces' keys stay unseen. */
  findInWorkspace(workspaceId: string, keyId: string): Promise<ApiKey | null> {
    return this.findOne({ id: keyId, workspace: workspaceId });
  }

  /** The workspace's keys, newest first. */
  findAllInWorkspace(workspaceId: string): Promise<ApiKey[]> {
    return this.find({ workspace: workspaceId }, { orderBy: { createdAt: 'desc', id: 'asc' } });
  }

  /** The keys this user created in this workspace that are not revoked yet. */
  findUnrevokedCreatedBy(workspaceId: string, userId: string): Promise<ApiKey[]> {
    return this.find({ workspace: workspaceId, createdBy: userId, revokedAt: null });
  }
}
