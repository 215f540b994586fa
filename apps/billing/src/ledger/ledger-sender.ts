import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Polar } from '@polar-sh/sdk';
import { BillingCustomers, classifyPolarError, isPolarStatus, POLAR, polarErrorAnswer } from '@nomosly/billing';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { BillingMetrics } from '../metrics';
import { backoffMs, RETRY_BASE_MS } from './backoff';
import { type LedgerEvent, LedgerStore } from './ledger-store';

/** The name every usage event has on Polar, the one its meter filters on. */
export const USAGE_EVENT_NAME = 'api.call';

/** How often the lag and backlog gauges are refreshed. */
const GAUGE_REFRESH_MS = 1_000;

/** Workspaces whose Polar customers are ensured at once for one batch. */
const CUSTOMER_ENSURE_CONCURRENCY = 4;

type Outcome = 'settled' | 'retry';
type PolarEvent = Parameters<Polar['events']['ingest']>[0]['events'][number];

/**
 * P4, usage to Polar: sends the billing ledger (the outbox the usage app writes with each usage record) to
 * Polar's event ingestion, one event per record with the usage event id as `external_id`, so that a re-send
 * (after a crash, a timeout, a lease that ran out) is a duplicate Polar ignores, never a second charge.
 *
 * BILLING_CONCURRENCY workers each lease a batch of due rows, make sure each workspace of the batch is a Polar
 * customer, and ingest the batch. Polar down, slow or limiting: the rows come back later (backoff, or Polar's
 * Retry-After, which pauses every worker). Polar refusing the batch (422, one invalid event fails all): it is
 * split in halves until the refused event is alone, and that one is parked while the others go through.
 */
@Injectable()
export class LedgerSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LedgerSender.name);
  private readonly knownCustomers = new Set<string>();
  private readonly abort = new AbortController();
  private readonly sleepers = new Set<() => void>();
  private readonly leaseMs: number;
  private running = false;
  private workers: Promise<void>[] = [];
  private gaugeTimer: NodeJS.Timeout | undefined;
  private pausedUntil = 0;

  constructor(
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    @Inject(POLAR) private readonly polar: Polar,
    private readonly customers: BillingCustomers,
    private readonly store: LedgerStore,
    private readonly metrics: BillingMetrics,
  ) {
    // Long enough for an ingest call and the customer calls before it, each bounded by POLAR_TIMEOUT_MS; a row
    // whose sender died comes back after it. Running over it costs at most a duplicate, which Polar ignores.
    this.leaseMs = config.POLAR_TIMEOUT_MS * 3;
  }

  onApplicationBootstrap(): void {
    if (!this.config.BILLING_SEND_USAGE) {
      this.logger.log('BILLING_SEND_USAGE is false: this replica takes webhooks and jobs, and sends no usage to Polar');
      return;
    }
    this.running = true;
    this.workers = Array.from({ length: this.config.BILLING_CONCURRENCY }, () => this.work());
    this.gaugeTimer = setInterval(() => void this.refreshGauges(), GAUGE_REFRESH_MS).unref();
    void this.refreshGauges();
  }

  /**
   * Before the database closes: no new batch is claimed, the ones in flight get up to POLAR_TIMEOUT_MS to finish,
   * then their calls are aborted and their rows given back (a call Polar did take is a harmless duplicate later).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.gaugeTimer);
    for (const wake of this.sleepers) wake();
    const finished = Promise.all(this.workers);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      finished.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.config.POLAR_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.abort.abort();
      await finished;
    }
  }

  private async work(): Promise<void> {
    while (this.running) {
      await this.waitOutPause();
      if (!this.running) return;
      let batch: LedgerEvent[];
      try {
        batch = await this.store.claimDue(this.config.BILLING_BATCH_SIZE, this.leaseMs);
      } catch (error) {
        this.logger.error(`billing ledger not read: ${(error as Error).message}`);
        await this.sleep(this.config.BILLING_POLL_MS);
        continue;
      }
      if (batch.length) {
        try {
          await this.deliver(batch);
        } catch (error) {
          // The ledger could not be written after a call: the lease brings the rows back, Polar dedupes the re-send.
          this.logger.error(`billing batch of ${batch.length} not settled, due again after its lease: ${(error as Error).message}`);
        }
      }
      if (batch.length < this.config.BILLING_BATCH_SIZE) await this.sleep(this.config.BILLING_POLL_MS);
    }
  }

  private async deliver(batch: LedgerEvent[]): Promise<void> {
    const billable = await this.withCustomers(batch);
    if (billable.length) await this.send(billable);
  }

  /**
   * Polar bills an event only when its `external_customer_id` is a customer (it accepts unknown ones silently),
   * so each workspace of the batch is made a customer first. Rows of a workspace that cannot be one are parked;
   * rows of one whose customer call failed for a while are retried; the rest are returned.
   */
  private async withCustomers(batch: LedgerEvent[]): Promise<LedgerEvent[]> {
    const unknown = [...new Set(batch.map((event) => event.workspaceId))].filter((workspaceId) => !this.knownCustomers.has(workspaceId));
    const notYet = new Set<string>();
    for (let start = 0; start < unknown.length; start += CUSTOMER_ENSURE_CONCURRENCY) {
      const group = unknown.slice(start, start + CUSTOMER_ENSURE_CONCURRENCY);
      await Promise.all(
        group.map(async (workspaceId) => {
          const problem = await this.ensureCustomer(workspaceId);
          if (problem === undefined) return;
          notYet.add(workspaceId);
          const events = batch.filter((event) => event.workspaceId === workspaceId);
          if (problem.park) await this.park(events, problem.message);
          else await this.retry(events, problem.message, problem.retryAfterMs, problem.pauseEveryone);
        }),
      );
    }
    return batch.filter((event) => !notYet.has(event.workspaceId));
  }

  private async ensureCustomer(
    workspaceId: string,
  ): Promise<{ park: boolean; message: string; retryAfterMs: number | null; pauseEveryone?: boolean } | undefined> {
    try {
      await this.customers.ensure(workspaceId);
      this.knownCustomers.add(workspaceId);
      return undefined;
    } catch (error) {
      if (!polarErrorAnswer(error)) {
        // BillingCustomers finds no owner to bill both for a workspace that is gone (purged) and one without an
        // owner: no customer can be made, so its usage is parked with the reason rather than retried forever.
        const standing = await this.store.workspaceStanding(workspaceId);
        if (standing !== 'billable') return { park: true, message: `no Polar customer can be made: workspace ${workspaceId} ${standing}`, retryAfterMs: null };
      }
      const failure = classifyPolarError(error);
      if (failure.kind === 'refused' && isPolarStatus(error, 422)) {
        return { park: true, message: `Polar refused the customer of workspace ${workspaceId}: ${failure.message}`, retryAfterMs: null };
      }
      // Polar down or limiting us, or refusing our token (401, 403), holds every worker back; any other refusal is of
      // this one customer and backs off its rows only.
      const retryAfterMs = failure.kind === 'retry' ? failure.retryAfterMs : null;
      const ourToken = isPolarStatus(error, 401) || isPolarStatus(error, 403);
      if (failure.kind === 'refused') this.logger.error(`Polar refused the customer of workspace ${workspaceId}, retrying later: ${failure.message}`);
      return {
        park: false,
        message: `customer of workspace ${workspaceId} not ensured: ${failure.message}`,
        retryAfterMs,
        pauseEveryone: failure.kind === 'retry' || ourToken,
      };
    }
  }

  /** One ingest call; on a 422, each half on its own, down to the one event Polar refuses. */
  private async send(events: LedgerEvent[]): Promise<Outcome> {
    // Another worker may have been told to wait (Retry-After) since this batch was claimed.
    await this.waitOutPause();
    if (!this.running && this.abort.signal.aborted) {
      await this.store.release(events.map((event) => event.eventId));
      return 'retry';
    }
    const stopTimer = this.metrics.ingestDuration.startTimer();
    let result: { inserted: number; duplicates: number };
    try {
      result = await this.polar.events.ingest({ events: events.map(toPolarEvent) }, { fetchOptions: { signal: this.abort.signal } });
    } catch (error) {
      stopTimer();
      return this.failed(events, error);
    }
    stopTimer();
    await this.store.markSent(events.map((event) => event.eventId));
    this.metrics.eventsSent.inc({ result: 'inserted' }, result.inserted);
    this.metrics.eventsSent.inc({ result: 'duplicate' }, result.duplicates);
    return 'settled';
  }

  private async failed(events: LedgerEvent[], error: unknown): Promise<Outcome> {
    if (this.abort.signal.aborted) {
      await this.store.release(events.map((event) => event.eventId));
      return 'retry';
    }
    if (isPolarStatus(error, 422)) {
      if (events.length === 1) {
        const [event] = events as [LedgerEvent];
        const message = classifyPolarError(error).message;
        this.logger.warn(`usage event ${event.eventId} of workspace ${event.workspaceId} parked, Polar refused it: ${message}`);
        await this.park(events, message);
        return 'settled';
      }
      const middle = Math.ceil(events.length / 2);
      const [first, second] = [events.slice(0, middle), events.slice(middle)];
      if ((await this.send(first)) === 'retry') {
        // Polar became unavailable half way: the other half waits with the first.
        await this.retry(second, 'not sent: Polar failed on the other half of its batch', null);
        return 'retry';
      }
      return this.send(second);
    }
    const failure = classifyPolarError(error);
    // Any other refusal (a bad token, a moved route) is ours to mend, not the events' fault: they wait, loudly.
    if (failure.kind === 'refused') this.logger.error(`Polar refused an ingest call of ${events.length} events, retrying later: ${failure.message}`);
    else this.logger.warn(`Polar ingest of ${events.length} events to be retried: ${failure.message}`);
    await this.retry(events, failure.message, failure.kind === 'retry' ? failure.retryAfterMs : null);
    return 'retry';
  }

  /**
   * Backs the rows off, and (unless told otherwise) every worker with them: Polar limiting us or down is so for
   * all of them. Polar's Retry-After is honoured as given; otherwise the pause is the shortest backoff of the batch.
   */
  private async retry(events: LedgerEvent[], message: string, retryAfterMs: number | null, pauseEveryone = true): Promise<void> {
    if (!events.length) return;
    const maxMs = this.config.BILLING_RETRY_MAX_MS;
    await this.store.scheduleRetry(
      events.map((event) => event.eventId),
      message,
      { baseMs: RETRY_BASE_MS, maxMs, retryAfterMs },
    );
    this.metrics.eventsFailed.inc({ reason: 'retry' }, events.length);
    if (!pauseEveryone) return;
    const fewestAttempts = Math.min(...events.map((event) => event.attempts));
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + (retryAfterMs ?? backoffMs(fewestAttempts, maxMs)));
  }

  private async park(events: LedgerEvent[], message: string): Promise<void> {
    await this.store.park(
      events.map((event) => event.eventId),
      message,
    );
    this.metrics.eventsFailed.inc({ reason: 'parked' }, events.length);
  }

  private async refreshGauges(): Promise<void> {
    try {
      const backlog = await this.store.backlog();
      this.metrics.ledgerLag.set(backlog.lagSeconds);
      this.metrics.ledgerBacklog.set({ state: 'due' }, backlog.due);
      this.metrics.ledgerBacklog.set({ state: 'waiting' }, backlog.waiting);
    } catch (error) {
      this.logger.warn(`billing ledger gauges not refreshed: ${(error as Error).message}`);
    }
  }

  private async waitOutPause(): Promise<void> {
    for (let pause = this.pausedUntil - Date.now(); pause > 0 && this.running; pause = this.pausedUntil - Date.now()) await this.sleep(pause);
  }

  /** Waits `ms`, or less when the sender stops. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function toPolarEvent(event: LedgerEvent): PolarEvent {
  return {
    name: USAGE_EVENT_NAME,
    externalCustomerId: event.workspaceId,
    externalId: event.eventId,
    timestamp: event.at,
    metadata: { operation: event.operation, units: event.units },
  };
}
