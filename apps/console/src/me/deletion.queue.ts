import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { ACCOUNT_PURGE_JOB_OPTIONS, type AccountPurgeJob, MaintenanceJob, QueueName, accountPurgeJobId, accountPurgeJobSchema } from '@nomosly/contracts';
import { DependencyWatches, closeWithSharedConnection } from '@nomosly/observability';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';

/** The maintenance queue on the events Redis, where the console leaves each account's purge for the usage app (P7). */
@Injectable()
export class DeletionQueue implements OnModuleDestroy {
  private readonly connection: Redis;
  private readonly queue: Queue;

  constructor(@Inject(CONSOLE_CONFIG) config: ConsoleConfig, watches: DependencyWatches) {
    this.connection = watches.redis(
      'events-redis',
      new Redis(config.EVENTS_REDIS_URL, { maxRetriesPerRequest: 2, connectionName: 'console-maintenance' }),
    );
    this.queue = new Queue(QueueName.Maintenance, {
      connection: this.connection,
      prefix: config.QUEUE_PREFIX,
      // As the usage app's own registration: nothing reads the queue's event stream.
      streams: { events: { maxLen: 100 } },
    });
    watches.bullmq('events-redis', 'maintenance queue', this.queue);
  }

  /** Schedules the purge for the countdown's end; the same countdown scheduled again is one job. */
  async schedule(job: AccountPurgeJob, now: Date): Promise<void> {
    const data = accountPurgeJobSchema.parse(job);
    await this.queue.add(MaintenanceJob.AccountPurge, data, {
      ...ACCOUNT_PURGE_JOB_OPTIONS,
      jobId: accountPurgeJobId(data),
      delay: Math.max(0, new Date(data.scheduledFor).getTime() - now.getTime()),
    });
  }

  /**
   * Withdraws the purge of a cancelled countdown. Best effort: a job that is already running, or one this misses,
   * finds the countdown cancelled and purges nothing.
   */
  async withdraw(job: AccountPurgeJob): Promise<void> {
    const found = await this.queue.getJob(accountPurgeJobId(job));
    if (found && (await found.isDelayed())) await found.remove();
  }

  async onModuleDestroy(): Promise<void> {
    await closeWithSharedConnection(this.queue, this.connection);
  }
}
