import { Entity, EntityRepositoryType, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { UserRepository } from '../repositories/user.repository';

@Entity({ tableName: 'users', repository: () => UserRepository })
export class User {
  [EntityRepositoryType]?: UserRepository;
  [OptionalProps]?: 'id' | 'name' | 'marketingOptIn' | 'providerSubject' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  @Unique()
  email!: string;

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
}
