import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import {
  ErrorCode,
  PublicError,
  QueueName,
  RESULT_SCHEMAS,
  VisionKeys,
  visionJobSchema,
  workerCapacityKey,
  visionReplySchema,
  type Operation,
  type ResultOf,
  type VisionJob,
  type VisionReply,
} from '@nomosly/contracts';
import { DependencyWatches, VisionRedisWatch, closeWithSharedConnection, isConnectionError, queueDepthGauge } from '@nomosly/observability';
import type { EncodedImage } from '@nomosly/images';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { coalesceWrites } from '../events/coalesced-writes';
import { GatewayMetrics } from '../metrics';
import { UNAVAILABLE_RETRY_AFTER, overloaded, shuttingDown, unavailable } from '../unavailable';
import { CapacityReports } from './capacity-reports';
import { QueueAdmission } from './queue-admission';

/** How long the start-up check waits for the vision Redis before the gateway starts without it (answering 503). */
const START_CHECK_WAIT_MS = 2_000;

/** How often the queue's depth and the workers' capacity reports are read for admission (two cheap commands). */
const QUEUE_READ_MS = 100;
/** How often the workers listening on the queue are counted (CLIENT LIST: dearer, and workers come and go slowly). */
const WORKER_COUNT_MS = 1_000;
/** On shutdown, calls still waiting this long before SHUTDOWN_TIMEOUT_MS are answered 503 so the process can exit cleanly. */
const SHUTDOWN_ANSWER_MARGIN_MS = 2_000;

/**
 * How a wait ends: the worker's reply, the deadline, the client hanging up, the reply channel lost, or the
 * gateway shutting down before the worker answered.
 */
type WaitOutcome = VisionReply | 'timeout' | 'aborted' | 'lost' | 'shutdown';

interface Waiter {
  resolve(outcome: WaitOutcome): void;
}

export interface VisionCall<O extends Operation> {
  requestId: string;
  operation: O;
  params: VisionJob['params'];
  images: EncodedImage[];
  /** Aborted when the client goes away; the job and its images are removed at once. */
  signal: AbortSignal;
}


/**
 * Puts a vision job on the queue and holds the call until its result arrives on this gateway's reply
 * channel. Results travel over pub/sub only: nothing of them is stored in Redis. The job's images sit in
 * their own keys (never in the job, so Bull Board cannot show them) and expire at the deadline.
 */
@Injectable()
export class VisionQueue implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(VisionQueue.name);
  private readonly instanceId = randomUUID();
  private readonly replyChannel: string;
  private readonly waiters = new Map<string, Waiter>();
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  readonly queue: Queue;
  private readonly admission: QueueAdmission;
  /** Set on SIGTERM: new calls get 503 at once, calls in flight are answered. */
  private stopping = false;
  private shutdownAnswerTimer?: NodeJS.Timeout;
  /** Workers listening on the queue, as last counted; null until the first count. */
  private workers: number | null = null;
  private subscribed = false;
  /** P1's check of the vision Redis on the commands connection, at start and after every reconnect. */
  private readonly settings: VisionRedisWatch;
  private queueReadTimer?: NodeJS.Timeout;
  private workerCountTimer?: NodeJS.Timeout;
  private readonly capacityKey: string;
  private readonly capacityReports = new CapacityReports();
  /** A read of the queue still under way: the next tick is skipped rather than piled behind it. */
  private reading = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    watches: DependencyWatches,
  ) {
    this.replyChannel = VisionKeys.replyChannel(config.QUEUE_PREFIX, this.instanceId);
    this.capacityKey = workerCapacityKey(config.QUEUE_PREFIX);
    this.admission = new QueueAdmission({ maxQueueWaitMs: config.VISION_MAX_QUEUE_WAIT_MS, maxBacklog: config.VISION_MAX_BACKLOG });
    // Commands fail fast while Redis is down (503) instead of piling up in an offline queue.
    const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false } as const;
    this.commands = watches.redis(
      'vision-redis',
      coalesceWrites(new Redis(config.VISION_REDIS_URL, { ...options, connectionName: 'gateway:commands' })),
    );
    this.subscriber = watches.redis(
      'vision-redis',
      new Redis(config.VISION_REDIS_URL, { maxRetriesPerRequest: null, autoResubscribe: false, connectionName: 'gateway:replies' }),
    );
    this.queue = new Queue(QueueName.Vision, {
      connection: this.commands,
      prefix: config.QUEUE_PREFIX,
      // BullMQ keeps its own event history; a short one holds nothing useful about past calls.
      streams: { events: { maxLen: 100 } },
    });
    watches.bullmq('vision-redis', 'vision queue', this.queue);
    this.settings = new VisionRedisWatch(this.commands, {
      persistenceChecked: config.VISION_REDIS_PERSISTENCE_CHECKED,
      log: { warn: (line) => this.logger.warn(line), error: (line) => this.logger.error(line) },
    });
    queueDepthGauge(metrics.registry, () => this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed'));
  }

  async onModuleInit(): Promise<void> {
    await this.checkSettingsAtStart();
    this.subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.onReply(message));
    // Subscribing before the connection's ready check has run can leave it unsubscribed (the check's INFO is
    // refused in subscriber mode), so subscribe on every 'ready', the first and each after a reconnect.
    this.subscriber.on('ready', () => void this.subscribe());
    // Replies published while the channel is down are lost for good: the calls waiting for them end now (503)
    // rather than at their deadline.
    this.subscriber.on('close', () => {
      this.subscribed = false;
      for (const waiter of [...this.waiters.values()]) waiter.resolve('lost');
    });
    if (this.subscriber.status === 'ready') await this.subscribe();
    this.queueReadTimer = setInterval(() => void this.readQueue(), QUEUE_READ_MS).unref();
    this.workerCountTimer = setInterval(() => void this.countWorkers(), WORKER_COUNT_MS).unref();
    void this.readQueue();
    void this.countWorkers();
  }

  /**
   * P1 at start: a vision Redis that answers and keeps anything (or whose settings cannot be read, unless
   * VISION_REDIS_PERSISTENCE_CHECKED=1) stops the gateway before it listens. One that is down now is checked when it
   * answers, as after every reconnect (it may have been restarted otherwise); calls are refused (503) until then.
   */
  private async checkSettingsAtStart(): Promise<void> {
    if (!(await this.settings.start(START_CHECK_WAIT_MS))) {
      this.logger.warn('vision Redis not reachable at start: its settings are checked when it answers');
    }
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.replyChannel);
      this.subscribed = true;
    } catch (error) {
      // A lost connection is its watch's to report; it subscribes again on its next 'ready'.
      if (!isConnectionError(error)) this.logger.error(`reply channel subscription failed: ${(error as Error).message}`);
    }
  }

  /**
   * SIGTERM (before the HTTP server closes): new calls are refused (503, Retry-After), calls in flight keep waiting
   * for their workers; those still waiting SHUTDOWN_ANSWER_MARGIN_MS before the shutdown deadline are answered 503
   * (their jobs removed, nothing billed), so that every client gets an answer before the process exits.
   */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    const answerWithinMs = Math.max(this.config.SHUTDOWN_TIMEOUT_MS / 2, this.config.SHUTDOWN_TIMEOUT_MS - SHUTDOWN_ANSWER_MARGIN_MS);
    this.shutdownAnswerTimer = setTimeout(() => {
      for (const waiter of [...this.waiters.values()]) waiter.resolve('shutdown');
    }, answerWithinMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.shutdownAnswerTimer);
    clearInterval(this.queueReadTimer);
    clearInterval(this.workerCountTimer);
    this.settings.stop();
    this.subscriber.disconnect();
    await closeWithSharedConnection(this.queue, this.commands).catch(() => undefined);
  }

  /** Runs one call on a worker and returns its validated result, or throws the documented error. */
  async run<O extends Operation>(call: VisionCall<O>): Promise<ResultOf<O>> {
    if (this.stopping) {
      this.metrics.admissionRefusals.inc({ reason: 'shutting_down' });
      throw shuttingDown();
    }
    if (this.workers === 0) {
      throw unavailable('No vision worker is running; try again shortly.');
    }
    // BullMQ waits for a connection indefinitely; a call must not, so refuse at once while Redis is away.
    if (this.commands.status !== 'ready' || !this.subscribed || !this.settings.verified) {
      throw unavailable('The vision service is unavailable; try again shortly.');
    }
    // Last: an admitted call counts as waiting until the queue is read again.
    const admission = this.admission.decide(Date.now());
    if (!admission.admit) {
      this.metrics.admissionRefusals.inc({ reason: admission.reason });
      if (admission.reason === 'queue_wait') throw overloaded(admission.estimatedWaitMs);
      throw unavailable('The service is at capacity; try again shortly.');
    }
    const jobId = call.requestId;
    const deadline = Date.now() + this.config.VISION_DEADLINE_MS;
    const imageKeys = call.images.map((_, index) => VisionKeys.image(this.config.QUEUE_PREFIX, jobId, index));
    const job = visionJobSchema.parse({
      requestId: call.requestId,
      operation: call.operation,
      params: call.params,
      images: call.images.map(({ format, width, height, orientation }, index) => ({
        key: imageKeys[index],
        format,
        width,
        height,
        orientation,
      })),
      replyChannel: this.replyChannel,
      deadline,
    });

    const reply = this.awaitReply(jobId, deadline, call.signal);
    try {
      // Not awaited before the add: both go over the same connection, so Redis stores the images before it
      // queues the job, and the call saves a round trip. (Plain commands: an ioredis pipeline on a connection
      // that carries BullMQ's scripts costs more to build than it saves.)
      // Both awaited together: a full Redis refuses the images and the job alike (OOM), and a refusal nobody
      // awaited yet would be an unhandled rejection that ends the process.
      const stored = call.images.map((image, index) =>
        this.commands.set(imageKeys[index], image.bytes, 'PX', this.config.VISION_DEADLINE_MS),
      );
      await Promise.all([this.queue.add(call.operation, job, { jobId, removeOnComplete: true, removeOnFail: true, attempts: 1 }), ...stored]);
    } catch (error) {
      this.waiters.get(jobId)?.resolve('aborted');
      await this.discard(jobId, imageKeys);
      if (error instanceof PublicError) throw error;
      this.logger.error(`vision queue unavailable: ${(error as Error).message}`);
      throw unavailable('The vision service is unavailable; try again shortly.');
    }

    const outcome = await reply;
    if (outcome === 'timeout' || outcome === 'aborted' || outcome === 'lost' || outcome === 'shutdown') {
      await this.discard(jobId, imageKeys);
      this.metrics.visionJobs.inc({ operation: call.operation, outcome });
      if (outcome === 'lost') {
        throw unavailable('The connection to the vision service was lost; try again shortly.');
      }
      if (outcome === 'shutdown') throw shuttingDown();
      throw new PublicError(ErrorCode.Timeout, `The ${call.operation} call did not finish within the deadline.`);
    }
    if (!outcome.ok) {
      this.metrics.visionJobs.inc({ operation: call.operation, outcome: outcome.error.code });
      const headers: Record<string, string> =
        outcome.error.code === ErrorCode.Unavailable ? UNAVAILABLE_RETRY_AFTER : {};
      throw new PublicError(outcome.error.code, outcome.error.message, headers);
    }
    const result = RESULT_SCHEMAS[call.operation].safeParse(outcome.result);
    if (!result.success) {
      this.metrics.visionJobs.inc({ operation: call.operation, outcome: 'invalid_result' });
      this.logger.error(`worker answered ${call.operation} with a result that breaks the contract`);
      throw new PublicError(ErrorCode.Internal, 'The vision worker gave an invalid answer; the request was not billed.');
    }
    this.metrics.visionJobs.inc({ operation: call.operation, outcome: 'ok' });
    return result.data as ResultOf<O>;
  }

  private awaitReply(jobId: string, deadline: number, signal: AbortSignal): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      const finish = (outcome: WaitOutcome) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(jobId);
        resolve(outcome);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
      if (signal.aborted) return finish('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(jobId, { resolve: finish });
    });
  }

  private onReply(message: Buffer): void {
    let reply: VisionReply;
    try {
      reply = visionReplySchema.parse(JSON.parse(message.toString('utf8')));
    } catch {
      this.logger.error('a vision reply broke the contract and was dropped');
      return;
    }
    this.waiters.get(reply.jobId)?.resolve(reply);
  }

  /** Removes a job that nobody waits for, and its images; a job a worker holds ends and is removed by it. */
  private async discard(jobId: string, imageKeys: string[]): Promise<void> {
    await Promise.allSettled([this.commands.del(...imageKeys), this.queue.remove(jobId)]);
  }

  /** Every QUEUE_READ_MS: the queue's depth and the workers' capacity reports, for admission by queue wait. */
  private async readQueue(): Promise<void> {
    if (this.commands.status !== 'ready' || this.reading) return;
    this.reading = true;
    const at = Date.now();
    const mark = this.admission.markRead();
    try {
      const [counts, fields] = await Promise.all([this.queue.getJobCounts('waiting', 'active'), this.commands.hgetall(this.capacityKey)]);
      const { fresh, forgotten } = this.capacityReports.read(fields, at);
      if (forgotten.length > 0) void this.commands.hdel(this.capacityKey, ...forgotten).catch(() => undefined);
      this.admission.observe({ waiting: counts.waiting ?? 0, active: counts.active ?? 0, workers: fresh, at }, mark);
      this.metrics.queueWaitEstimate.set(this.admission.estimatedWaitMs(Date.now()) ?? -1);
    } catch {
      // Redis unreachable: adds will fail and say so.
    } finally {
      this.reading = false;
    }
  }

  /** Once a second: the workers listening, so that calls are refused at once when none can run. */
  private async countWorkers(): Promise<void> {
    if (this.commands.status !== 'ready') return;
    try {
      this.workers = await this.queue.getWorkersCount();
      this.metrics.visionWorkers.set(this.workers);
    } catch {
      // Redis unreachable: adds will fail and say so.
    }
  }

  /** For /readyz. */
  async ping(): Promise<void> {
    if (this.stopping) throw new Error('shutting down');
    await this.commands.ping();
    if (!this.settings.verified) throw new Error(`vision Redis: ${this.settings.problem}`);
    if (!this.subscribed) throw new Error('not subscribed to the reply channel yet');
  }
}

