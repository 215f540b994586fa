import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One billable call (P4): written once per usage event, keyed by the event id (the request id), so a
 * redelivered event finds its row already there. Key and user are plain ids, not references: deleting a key
 * must not delete what it was billed for.
 */
@Entity({ tableName: 'usage_records' })
@Index({ properties: ['workspaceId', 'at'] })
export class UsageRecord {
  @PrimaryKey({ type: 'text' })
  eventId!: string;

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'uuid' })
  keyId!: string;

  @Property({ type: 'text' })
  operation!: string;

  @Property({ type: 'integer' })
  units!: number;

  @Property({ type: 'integer' })
  status!: number;

  @Property({ type: 'integer' })
  latencyMs!: number;

  @Property({ type: 'datetime' })
  at!: Date;
}
