import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { DependencyWatches } from '@nomosly/observability';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { coalesceWrites } from './coalesced-writes';

/** The command connection to the durable events Redis (limit counters, the events queue). */
@Injectable()
export class EventsRedis implements OnApplicationShutdown {
  readonly client: Redis;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, watches: DependencyWatches) {
    // Commands fail fast while Redis is down (a 503 for the call) instead of waiting in an offline queue.
    this.client = watches.redis(
      'events-redis',
      coalesceWrites(new Redis(config.EVENTS_REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'gateway:events' })),
    );
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }

  /** For /readyz. */
  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** False while (re)connecting: a command sent now would be refused at once. */
  isReady(): boolean {
    return this.client.status === 'ready';
  }
}
