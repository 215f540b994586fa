import { EntityRepository } from '@mikro-orm/postgresql';
import type { ApiKey } from '../entities/api-key.entity';

export class ApiKeyRepository extends EntityRepository<ApiKey> {
  /** The key with this hash, whatever its state; callers decide what revoked or expired means. */
  findByHash(hash: string): Promise<ApiKey | null> {
    return this.findOne({ hash }, { populate: ['workspace'] });
  }
}
