import { Entity, EntityRepositoryType, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { UserRepository } from '../repositories/user.repository';

@Entity({ tableName: 'users', repository: () => UserRepository })
export class User {
  [EntityRepositoryType]?: UserRepository;
  [OptionalProps]?: 'id' | 'name' | 'marketingOptIn' | 'providerSubject' | 'emailVerified' | 'createdAt' | 'deletionScheduledFor' | 'restrictedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /**
   * The identity provider's email, refreshed at each sign-in. Unique among verified emails only (and among users
   * who never signed in, made by the admin CLI): an unverified email names no one but this user.
   */
  @Property({ type: 'text' })
  email!: string;

  /** The provider said the email is verified at the last sign-in; only such an email links or accepts invitations. */
  @Property({ type: 'boolean' })
  emailVerified = false;

  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  @Property({ type: 'boolean' })
  marketingOptIn = false;

  /** The identity provider's subject (`sub`), set at first sign-in. */
  @Property({ type: 'text', nullable: true })
  @Unique()
  providerSubject: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  /** When the account is purged, unless the user cancels first (P7); null when no deletion is pending. */
  @Property({ type: 'datetime', nullable: true })
  deletionScheduledFor: Date | null = null;

  /** Since when the user restricted processing: every key of the workspaces they own is refused while set. */
  @Property({ type: 'datetime', nullable: true })
  restrictedAt: Date | null = null;
}
