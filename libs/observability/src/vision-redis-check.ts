import { inspectVisionRedisSettings, type RedisCommander } from './vision-redis-settings';

/** The settings P1 asks of the vision Redis, as an operator would type them. */
const KEEPS_NOTHING = 'save "", appendonly no and slowlog-log-slower-than -1';

/**
 * The check the gateway and the vision worker run before they use the vision Redis (P1: it keeps nothing on disk,
 * and no slow log that could keep image bytes). Throws one line naming each setting that breaks the promise, or,
 * when CONFIG is refused (managed Redis often disables it), naming VISION_REDIS_PERSISTENCE_CHECKED; with that
 * variable set, returns the line to log saying the check was skipped, and why. Returns null when all is well.
 */
export async function checkVisionRedis(redis: RedisCommander, { persistenceChecked }: { persistenceChecked: boolean }): Promise<string | null> {
  const settings = await inspectVisionRedisSettings(redis);
  if (settings.checked) {
    if (settings.problems.length === 0) return null;
    throw new Error(`the vision Redis must keep nothing (P1): ${settings.problems.join('; ')}`);
  }
  if (!persistenceChecked) {
    throw new Error(
      `the vision Redis's settings could not be read (${settings.reason}): where CONFIG is disabled on purpose, make sure ` +
        `it runs with ${KEEPS_NOTHING}, then set VISION_REDIS_PERSISTENCE_CHECKED=1`,
    );
  }
  return `vision Redis settings not checked: CONFIG refused (${settings.reason}); VISION_REDIS_PERSISTENCE_CHECKED=1 says ${KEEPS_NOTHING} were checked by hand`;
}

/** A connection whose readiness can be watched (ioredis's `status` and 'ready' events). */
export interface WatchableRedis extends RedisCommander {
  readonly status: string;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

export interface VisionRedisWatchOptions {
  persistenceChecked: boolean;
  /** Where the line saying the check was skipped, and a refusal after a reconnect, are written. */
  log: { warn(line: string): void; error(line: string): void };
}

/**
 * P1's check of the vision Redis on one connection, the same for the gateway and the vision worker: at start it
 * waits a bounded time for the Redis to answer and checks it (a refusal throws, so the app does not start); one
 * that does not answer by then is checked when it does; and it is checked again after every reconnect (it may
 * have been restarted with other settings). `verified` says whether the connection may carry images now.
 */
export class VisionRedisWatch {
  private state: { verified: boolean; problem: string } = { verified: false, problem: 'its settings are not checked yet' };
  private readonly onReady = () => this.recheck();

  constructor(
    private readonly redis: WatchableRedis,
    private readonly options: VisionRedisWatchOptions,
  ) {}

  get verified(): boolean {
    return this.state.verified;
  }

  /** Why the connection may not carry images now; empty when it may. */
  get problem(): string {
    return this.state.verified ? '' : this.state.problem;
  }

  /**
   * Waits up to `waitMs` for the Redis to answer, checks it (throws if it breaks P1) and watches its reconnects.
   * Returns false when it did not answer in time: it is then checked when it answers.
   */
  async start(waitMs: number): Promise<boolean> {
    const answered = await readyWithin(this.redis, waitMs);
    if (answered) await this.check();
    this.redis.on('ready', this.onReady);
    return answered;
  }

  stop(): void {
    this.redis.off('ready', this.onReady);
  }

  private recheck(): void {
    this.state = { verified: false, problem: 'its settings are being checked' };
    this.check().catch((error: Error) => {
      this.state = { verified: false, problem: error.message };
      this.options.log.error(`vision calls refused: ${error.message}`);
    });
  }

  private async check(): Promise<void> {
    const skipped = await checkVisionRedis(this.redis, { persistenceChecked: this.options.persistenceChecked });
    if (skipped) this.options.log.warn(skipped);
    this.state = { verified: true, problem: '' };
  }
}

/** Whether the connection is ready now or becomes so within `ms`. */
export async function readyWithin(redis: WatchableRedis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    redis.on('ready', onReady);
  });
}
