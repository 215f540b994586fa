import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { User } from './user.entity';

@Entity({ tableName: 'workspaces' })
export class Workspace {
  [OptionalProps]?: 'id' | 'plan' | 'monthlySpendCapCents' | 'personalOwner' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  plan = 'free';

  /** The owner's monthly spend cap in cents; null means no cap. */
  @Property({ type: 'integer', nullable: true })
  monthlySpendCapCents: number | null = null;

  /**
   * The user this is the personal workspace of, made at their first sign-in; unique, so that two concurrent
   * first requests of one user cannot make two.
   */
  @ManyToOne(() => User, { ref: true, nullable: true, unique: true, deleteRule: 'set null' })
  personalOwner: Ref<User> | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
