import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { KEY_EVENTS_CHANNEL, type KeyEvent, keyEventSchema } from '@nomosly/contracts';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';

/** Announces key and workspace-limit changes on the events Redis, so that every gateway drops what it cached. */
@Injectable()
export class KeyEventsPublisher implements OnModuleDestroy {
  private readonly logger = new Logger(KeyEventsPublisher.name);
  private readonly redis: Redis;

  constructor(@Inject(CONSOLE_CONFIG) config: ConsoleConfig) {
    this.redis = new Redis(config.EVENTS_REDIS_URL, { maxRetriesPerRequest: 2 });
    this.redis.on('error', (error: Error) => this.logger.warn(`events redis: ${error.message}`));
  }

  /**
   * Called after the change is committed. A failure is logged, not thrown: the change stands, and gateways
   * still drop it when their cache entry expires.
   */
  async publish(event: KeyEvent): Promise<void> {
    try {
      await this.redis.publish(KEY_EVENTS_CHANNEL, JSON.stringify(keyEventSchema.parse(event)));
    } catch (error) {
      this.logger.error(`key event not published (${event.type}): ${(error as Error).message}`);
    }
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
