import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

@Entity({ tableName: 'workspaces' })
export class Workspace {
  [OptionalProps]?: 'id' | 'plan' | 'monthlySpendCapCents' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  plan = 'free';

  /** The owner's monthly spend cap in cents; null means no cap. */
  @Property({ type: 'integer', nullable: true })
  monthlySpendCapCents: number | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
