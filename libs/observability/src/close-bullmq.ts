import type Redis from 'ioredis';
import { dropConnection } from './dependency-watches';

/** A BullMQ Queue or Worker. */
export interface BullmqClient {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Closes a BullMQ queue (or worker) that was handed a connection of the caller's, and that connection, without an
 * unhandled 'error'. BullMQ checks a connection's Redis version once it is ready; a queue closed while that check is
 * in flight drops its listeners, and the check's failure, when the connection closes next, is emitted to nobody
 * (seen when an app stops right after it starts). So the connection goes first (dropped, so that one waiting to
 * reconnect ends too), the check is let fail while the queue still listens (its watch ignores a lost connection),
 * and only then is the queue closed.
 */
export async function closeWithSharedConnection(client: BullmqClient, connection: Redis): Promise<void> {
  dropConnection(connection);
  await client.waitUntilReady().catch(() => undefined);
  await client.close();
}
