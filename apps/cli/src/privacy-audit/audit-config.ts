import { z } from 'zod';
import { retentionEnv } from '@nomosly/contracts';
import { env, loadConfig } from '@nomosly/config';

/** What the audit reads: the same variables, with the same defaults, as the apps it audits. */
export const auditConfigSchema = z.object({
  DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/nomosly'),
  VISION_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  EVENTS_REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  QUEUE_PREFIX: env.queuePrefix(),
  VISION_DEADLINE_MS: env.positiveInt(30_000),
  ...retentionEnv,
  /**
   * true (or 1): the operator has checked that the vision Redis keeps nothing on disk, for a managed Redis that
   * refuses CONFIG; read as the apps read it at start-up.
   */
  VISION_REDIS_PERSISTENCE_CHECKED: env.boolean(false),
});
export type AuditConfig = z.infer<typeof auditConfigSchema>;

export function loadAuditConfig(source: NodeJS.ProcessEnv = process.env): AuditConfig {
  return loadConfig(auditConfigSchema, source);
}

/** Host, port and name of a store, never its credentials: the audit's header names what it audited. */
export function describeStore(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('postgres') ? '5432' : '6379')}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
}
