import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { EVENT_JOB_OPTIONS, EVENT_SCHEMAS, EventName, QueueName, eventJobId, type EventOf } from '@nomosly/contracts';
import { DependencyWatches, closeWithSharedConnection } from '@nomosly/observability';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { EventsRedis } from './events-redis';

/**
 * The producer side of the events queue (usage and request-log events for the usage app), on the events
 * Redis's command connection: an add fails at once while Redis is unreachable instead of waiting in a queue.
 */
@Injectable()
export class EventsQueue implements OnApplicationShutdown {
  private readonly logger = new Logger(EventsQueue.name);
  readonly queue: Queue;

  constructor(
    private readonly redis: EventsRedis,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    watches: DependencyWatches,
  ) {
    this.queue = new Queue(QueueName.Events, {
      connection: redis.client,
      prefix: config.QUEUE_PREFIX,
      streams: { events: { maxLen: 100 } },
    });
    // Connection errors are the client's to report; an unhandled 'error' would be printed raw.
    watches.bullmq('events-redis', 'events queue', this.queue);
  }

  async onApplicationShutdown(): Promise<void> {
    // Whichever of this and EventsRedis's own hook runs first, the connection is closed before the queue.
    await closeWithSharedConnection(this.queue, this.redis.client).catch((error: Error) =>
      this.logger.warn(`events queue close failed: ${error.name}`),
    );
  }

  /**
   * Validates the event against its contract and adds it under its job id (`<name>-<request id>`), so that
   * adding the same event twice stores it once. Throws when it is not stored.
   */
  async add<N extends EventName>(name: N, event: EventOf<N>): Promise<void> {
    const payload = EVENT_SCHEMAS[name].parse(event);
    // Until the first connection is up, BullMQ would hold the add until Redis answers, however long that takes.
    if (!this.redis.isReady()) throw new EventsUnavailableError();
    await this.queue.add(name, payload, { ...EVENT_JOB_OPTIONS, jobId: eventJobId(name, idOf(name, payload)) });
  }
}

export class EventsUnavailableError extends Error {
  constructor() {
    super('the events Redis is not connected');
    this.name = 'EventsUnavailableError';
  }
}

function idOf<N extends EventName>(name: N, event: EventOf<N>): string {
  return name === EventName.Usage ? (event as EventOf<typeof EventName.Usage>).eventId : (event as EventOf<typeof EventName.Request>).requestId;
}
