import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { WORKER_CAPACITY_REPORT_MS, workerCapacityKey, type WorkerCapacity } from '@nomosly/contracts';
import { DependencyWatches } from '@nomosly/observability';
import { WORKER_CONFIG, type WorkerConfig } from '../config';

/** Weight of the newest job in the moving average of job times: about the last ten jobs count. */
const SMOOTHING = 0.1;

/** Moving average of how long a job holds a slot; null until the first job. */
export class ServiceTime {
  private averageMs: number | null = null;

  record(ms: number): void {
    const sample = Math.max(1, ms);
    this.averageMs = this.averageMs === null ? sample : this.averageMs + SMOOTHING * (sample - this.averageMs);
  }

  get ms(): number | null {
    return this.averageMs;
  }
}

/**
 * Tells the gateways this process's slots and job time (their admission estimates the queue wait from it): a
 * field of its own in one hash on the vision Redis, rewritten every second, removed as soon as it stops.
 */
@Injectable()
export class CapacityReport implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  readonly serviceTime = new ServiceTime();
  private readonly field = randomUUID();
  private readonly key: string;
  private readonly redis: Redis;
  private timer?: NodeJS.Timeout;

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig, watches: DependencyWatches) {
    this.key = workerCapacityKey(config.QUEUE_PREFIX);
    // A report that cannot be written now is simply late: commands fail at once instead of queueing up.
    this.redis = watches.redis(
      'vision-redis',
      new Redis(config.VISION_REDIS_URL, { connectionName: 'vision-worker:capacity', enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
    );
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.write(), WORKER_CAPACITY_REPORT_MS).unref();
    void this.write();
  }

  current(now = Date.now()): WorkerCapacity {
    return { slots: this.config.VISION_CONCURRENCY, serviceMs: this.serviceTime.ms, at: now };
  }

  /** First thing on shutdown: gateways stop counting this process's slots while it finishes its jobs. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.hdel(this.key, this.field).catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  private async write(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    await this.redis.hset(this.key, this.field, JSON.stringify(this.current())).catch(() => undefined);
  }
}
