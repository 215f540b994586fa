import { Entity, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** Calls and units per workspace, key, operation and UTC day: updated in the transaction that inserts the records. */
@Entity({ tableName: 'usage_daily' })
export class UsageDaily {
  [PrimaryKeyProp]?: ['workspaceId', 'keyId', 'operation', 'day'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'uuid' })
  keyId!: string;

  @PrimaryKey({ type: 'text' })
  operation!: string;

  /** The UTC day, YYYY-MM-DD. */
  @PrimaryKey({ type: 'date' })
  day!: string;

  @Property({ type: 'bigint' })
  calls!: string;

  @Property({ type: 'bigint' })
  units!: string;
}
