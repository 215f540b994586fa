import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { DependencyWatches } from '@nomosly/observability';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';

/** The console's one connection to the durable events Redis: key events out, limit counters in. */
@Injectable()
export class EventsRedis implements OnModuleDestroy {
  readonly client: Redis;

  constructor(@Inject(CONSOLE_CONFIG) config: ConsoleConfig, watches: DependencyWatches) {
    this.client = watches.redis('events-redis', new Redis(config.EVENTS_REDIS_URL, { maxRetriesPerRequest: 2, connectionName: 'console' }));
  }

  /** For /readyz. */
  async ping(): Promise<void> {
    await this.client.ping();
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
