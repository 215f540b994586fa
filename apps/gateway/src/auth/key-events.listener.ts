import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { KEY_EVENTS_CHANNEL, keyEventSchema } from '@nomosly/contracts';
import { DependencyWatches, isConnectionError } from '@nomosly/observability';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics';
import { KeyResolver } from './key-resolver.service';

/**
 * Listens for the console's key events on the events Redis and drops what the key cache holds of the key or
 * workspace that changed, so that a revocation or a new spend cap is in force on every replica within a
 * second. Events sent while the subscription was down are lost: on every (re)subscription the whole cache goes.
 */
@Injectable()
export class KeyEventsListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KeyEventsListener.name);
  private readonly subscriber: Redis;
  private readonly reportedInvalid = new Set<string>();
  private subscribed = false;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly keys: KeyResolver,
    private readonly metrics: GatewayMetrics,
    watches: DependencyWatches,
  ) {
    this.subscriber = watches.redis(
      'events-redis',
      new Redis(config.EVENTS_REDIS_URL, { maxRetriesPerRequest: null, autoResubscribe: false, connectionName: 'gateway:key-events' }),
    );
  }

  async onModuleInit(): Promise<void> {
    this.subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    // As for the vision reply channel: subscribe on every 'ready' (the first, and each after a reconnect).
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('close', () => (this.subscribed = false));
    if (this.subscriber.status === 'ready') await this.subscribe();
  }

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }

  /** For /readyz. */
  isSubscribed(): boolean {
    return this.subscribed;
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(KEY_EVENTS_CHANNEL);
      this.subscribed = true;
      this.keys.forgetAll();
      this.metrics.keyCacheInvalidations.inc({ type: 'all' });
    } catch (error) {
      // A lost connection is its watch's to report; it subscribes again when it is back.
      if (!isConnectionError(error)) this.logger.error(`key events subscription failed: ${(error as Error).message}`);
    }
  }

  private onMessage(message: string): void {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return this.reportInvalid('not JSON');
    }
    const parsed = keyEventSchema.safeParse(json);
    if (!parsed.success) {
      const type = (json as { type?: unknown } | null)?.type;
      return this.reportInvalid(typeof type === 'string' ? `type ${type.slice(0, 40)}` : 'no type');
    }
    const event = parsed.data;
    if (event.type === 'key') this.keys.forgetKey(event.hash);
    else this.keys.forgetWorkspace(event.workspaceId);
    this.metrics.keyCacheInvalidations.inc({ type: event.type });
  }

  /** Once per kind of bad message, and never its content. */
  private reportInvalid(kind: string): void {
    if (this.reportedInvalid.has(kind) || this.reportedInvalid.size > 100) return;
    this.reportedInvalid.add(kind);
    this.logger.warn(`ignored a key event that breaks the contract (${kind})`);
  }
}
