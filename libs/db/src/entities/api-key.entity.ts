import { Entity, EntityRepositoryType, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ApiKeyRepository } from '../repositories/api-key.repository';
import { User } from './user.entity';
import { Workspace } from './workspace.entity';

/**
 * Every column of `api_keys`: P3's documented metadata (name, prefix, scopes, created, expires, last used,
 * revoked, daily limit), whose workspace and creator it is, and the SHA-256 hash of the secret. Nothing else may
 * be stored about a key: the P3 end-to-end spec and the privacy audit compare the live table with this list, so
 * a new column fails both until it is added here, where a reviewer sees it.
 */
export const API_KEY_COLUMNS = Object.freeze([
  'id',
  'workspace_id',
  'created_by_id',
  'name',
  'prefix',
  'hash',
  'scopes',
  'created_at',
  'expires_at',
  'last_used_at',
  'revoked_at',
  'daily_limit',
] as const);

/** An API key's metadata (P3). The secret itself is never stored: only its SHA-256 hash. */
@Entity({ tableName: 'api_keys', repository: () => ApiKeyRepository })
@Index({ properties: ['workspace'] })
export class ApiKey {
  [EntityRepositoryType]?: ApiKeyRepository;
  [OptionalProps]?: 'id' | 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'revokedAt' | 'dailyLimit';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Workspace, { ref: true, deleteRule: 'cascade' })
  workspace!: Ref<Workspace>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  createdBy!: Ref<User>;

  @Property({ type: 'text' })
  name!: string;

  /** The first 12 characters of the key (`nk_live_` + 4), safe to show and log. */
  @Property({ type: 'text' })
  prefix!: string;

  /** SHA-256 of the whole key, hex. */
  @Property({ type: 'text' })
  @Unique()
  hash!: string;

  @Property({ type: 'text[]' })
  scopes!: string[];

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  /** Requests per UTC day for this key, below the plan's own limits; null means the plan's. */
  @Property({ type: 'integer', nullable: true })
  dailyLimit: number | null = null;
}

