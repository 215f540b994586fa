import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { type KeyEvent, publishKeyEvent } from '@nomosly/contracts';
import { DependencyWatches } from '@nomosly/observability';
import { BILLING_CONFIG, type BillingConfig } from './config';

/**
 * The billing app's connection to the events Redis for announcements: a workspace whose plan changed is
 * announced on the key-events channel, so that every gateway drops what it cached of it within a second.
 */
@Injectable()
export class EventsRedis implements OnModuleDestroy {
  private readonly logger = new Logger(EventsRedis.name);
  readonly client: Redis;

  constructor(@Inject(BILLING_CONFIG) config: BillingConfig, watches: DependencyWatches) {
    this.client = watches.redis('events-redis', new Redis(config.EVENTS_REDIS_URL, { maxRetriesPerRequest: 2, connectionName: 'billing' }));
  }

  /**
   * Called after the change is committed. A failure is logged, not thrown: the change stands, and gateways
   * still pick it up when their cache entry expires.
   */
  async announce(event: KeyEvent): Promise<void> {
    try {
      await publishKeyEvent(this.client, event);
    } catch (error) {
      this.logger.error(`key event not published (${event.type}): ${(error as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
