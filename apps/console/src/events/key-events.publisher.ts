import { Injectable, Logger } from '@nestjs/common';
import type { KeyChange } from '@nomosly/accounts';
import { type KeyEvent, publishKeyEvent } from '@nomosly/contracts';
import { EventsRedis } from './events-redis';

/** Announces key and workspace-limit changes on the events Redis, so that every gateway drops what it cached. */
@Injectable()
export class KeyEventsPublisher {
  private readonly logger = new Logger(KeyEventsPublisher.name);

  constructor(private readonly redis: EventsRedis) {}

  /**
   * Called after the change is committed. A failure is logged, not thrown: the change stands, and gateways
   * still drop it when their cache entry expires.
   */
  async publish(event: KeyEvent): Promise<void> {
    try {
      await publishKeyEvent(this.redis.client, event);
    } catch (error) {
      this.logger.error(`key event not published (${event.type}): ${(error as Error).message}`);
    }
  }

  /** Announces changed keys (revoked, rotated, deleted) by their hash, which gateways key their caches by. */
  async announceKeys(changes: readonly KeyChange[]): Promise<void> {
    await Promise.all(changes.map((change) => this.publish({ type: 'key', hash: change.hash })));
  }
}
