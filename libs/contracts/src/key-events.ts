import { z } from 'zod';

/**
 * Pub/sub on the events Redis: the console announces every change to a key (revoked, rotated, deleted) or to a
 * workspace's limits (plan, spend cap), and every gateway replica drops what it cached, so the change is in
 * force everywhere within a second. A gateway that loses its subscription drops its whole cache.
 */
export const KEY_EVENTS_CHANNEL = 'nomosly:key-events';

export const keyEventSchema = z.discriminatedUnion('type', [
  /** One key changed: `hash` is the SHA-256 of its secret, the form every cache is keyed by. */
  z.object({ type: z.literal('key'), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** Something every key of the workspace carries changed (plan, spend cap). */
  z.object({ type: z.literal('workspace'), workspaceId: z.uuid() }),
]);
export type KeyEvent = z.infer<typeof keyEventSchema>;

/** The one way a key event is sent: validated, on the channel every gateway listens to. */
export async function publishKeyEvent(redis: { publish(channel: string, message: string): Promise<unknown> }, event: KeyEvent): Promise<void> {
  await redis.publish(KEY_EVENTS_CHANNEL, JSON.stringify(keyEventSchema.parse(event)));
}
