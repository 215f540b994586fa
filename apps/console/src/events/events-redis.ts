import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';

/** The console's one connection to the durable events Redis: key events out, limit counters in. */
@Injectable()
export class EventsRedis implements OnModuleDestroy {
  private readonly logger = new Logger(EventsRedis.name);
  readonly client: Redis;

  constructor(@Inject(CONSOLE_CONFIG) config: ConsoleConfig) {
    this.client = new Redis(config.EVENTS_REDIS_URL, { maxRetriesPerRequest: 2, connectionName: 'console' });
    this.client.on('error', (error: Error) => this.logger.warn(`events redis: ${error.message}`));
  }

  /** For /readyz. */
  async ping(): Promise<void> {
    await this.client.ping();
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
