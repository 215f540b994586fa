import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import {
  ErrorCode,
  PublicError,
  RESULT_SCHEMAS,
  visionJobSchema,
  type VisionJob,
  type VisionReply,
} from '@nomosly/contracts';
import { DependencyWatches } from '@nomosly/observability';
import { EngineUnavailableError, type EncodedImage, type EngineCall } from '@nomosly/engines';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import { EngineHolder } from '../engine/engine.provider';
import { WorkerMetrics } from '../metrics';
import { VISION_HANDLERS } from './vision-handlers';

type Outcome = VisionReply | 'abandoned';

/**
 * Runs one vision job: takes its images out of Redis (GETDEL: read once, gone), decodes them, runs the engine
 * and publishes the answer on the gateway's reply channel. It returns nothing, so BullMQ stores no result.
 */
@Injectable()
export class VisionJobService implements OnApplicationShutdown {
  private readonly logger = new Logger('VisionJob');
  private readonly redis: Redis;

  constructor(
    @Inject(WORKER_CONFIG) config: WorkerConfig,
    private readonly engines: EngineHolder,
    private readonly metrics: WorkerMetrics,
    watches: DependencyWatches,
  ) {
    this.redis = watches.redis('vision-redis', new Redis(config.VISION_REDIS_URL, { connectionName: 'vision-worker:replies', maxRetriesPerRequest: 3 }));
  }

  /** The vision worker is closed before this (VisionProcessor.beforeApplicationShutdown): no job is still running. */
  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  /**
   * Handles one job; returns how long it took (ms) when it ran and answered, null when it was dropped (broke the
   * contract) or abandoned (its caller gone): only the jobs that ran tell how long a slot is held.
   */
  async handle(data: unknown): Promise<number | null> {
    const parsed = visionJobSchema.safeParse(data);
    if (!parsed.success) {
      this.logger.error('a vision job broke the contract and was dropped');
      this.metrics.visionJobs.inc({ operation: 'unknown', outcome: 'invalid_job' });
      return null;
    }
    const job = parsed.data;
    const timer = this.metrics.jobDuration.startTimer({ operation: job.operation });
    const outcome = await this.run(job);
    if (outcome === 'abandoned') {
      this.metrics.visionJobs.inc({ operation: job.operation, outcome });
      return null;
    }
    await this.redis.publish(job.replyChannel, JSON.stringify(outcome));
    const seconds = timer();
    this.metrics.visionJobs.inc({ operation: job.operation, outcome: outcome.ok ? 'ok' : outcome.error.code });
    return seconds * 1000;
  }

  private async run(job: VisionJob): Promise<Outcome> {
    const images = await this.takeImages(job);
    if (images === null || Date.now() > job.deadline) return 'abandoned';
    try {
      // The gateway checked each header; each engine decodes what it needs (the local one to pixels, a remote
      // one not at all) and a corrupt body still ends as invalid_image there.
      const inspected: EncodedImage[] = images.map((bytes, index) => ({ ...job.images[index], bytes }));
      const handler = VISION_HANDLERS[job.operation] as (e: unknown, i: EncodedImage[], p: unknown, c: EngineCall) => Promise<unknown>;
      // The result is checked here too, so an engine that breaks the contract is caught where it runs.
      const answer = await handler(this.engines.engine, inspected, job.params, { deadline: job.deadline });
      const result = RESULT_SCHEMAS[job.operation].safeParse(answer);
      if (!result.success) throw new Error(`engine ${this.engines.engine.name} broke the ${job.operation} result contract`);
      return { jobId: job.requestId, ok: true, result: result.data };
    } catch (error) {
      return { jobId: job.requestId, ok: false, error: this.describe(error) };
    }
  }

  /** Null when any image is gone: the gateway gave up (deadline or client gone) and removed it. */
  private async takeImages(job: VisionJob): Promise<Buffer[] | null> {
    const keys = job.images.map((image) => image.key);
    const images = await Promise.all(keys.map((key) => this.redis.getdelBuffer(key)));
    if (images.some((image) => image === null)) {
      await this.redis.del(...keys);
      return null;
    }
    return images as Buffer[];
  }

  private describe(error: unknown): { code: Extract<VisionReply, { ok: false }>['error']['code']; message: string } {
    if (error instanceof PublicError && error.code !== ErrorCode.Internal) {
      const code = error.code as Extract<VisionReply, { ok: false }>['error']['code'];
      return { code, message: error.message };
    }
    if (error instanceof EngineUnavailableError) {
      this.logger.error(`engine unavailable: ${error.message}`);
      return { code: ErrorCode.Unavailable, message: 'The vision engine is unavailable; try again shortly.' };
    }
    // By type only: an engine's message may quote what it was given.
    this.logger.error(`vision job failed: ${(error as Error)?.name ?? 'unknown error'}`);
    return { code: ErrorCode.Internal, message: 'The vision engine failed on this image; the request was not billed.' };
  }
}
