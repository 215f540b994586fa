import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** One request to the public API (P2's fields and nothing else that a client sent); kept 30 days (P6). */
@Entity({ tableName: 'request_log' })
@Index({ properties: ['workspaceId', 'at', 'requestId'] })
@Index({ properties: ['at'] })
export class RequestLogEntry {
  @PrimaryKey({ type: 'text' })
  requestId!: string;

  /** The key's workspace; null when no key was recognised. */
  @Property({ type: 'uuid', nullable: true })
  workspaceId!: string | null;

  @Property({ type: 'datetime' })
  at!: Date;

  @Property({ type: 'text' })
  ip!: string;

  @Property({ type: 'text' })
  method!: string;

  @Property({ type: 'text' })
  path!: string;

  @Property({ type: 'integer' })
  status!: number;

  @Property({ type: 'integer' })
  latencyMs!: number;

  @Property({ type: 'text', nullable: true })
  keyPrefix!: string | null;
}
