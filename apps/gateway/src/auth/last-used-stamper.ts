import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LimitsStore } from '@nomosly/limits';
import { GatewayMetrics } from '../metrics';

const STAMP_INTERVAL_SECONDS = 60;
/** Past this many keys in the gate, entries whose minute is over are swept out. */
const GATE_SWEEP_AT = 10_000;

/**
 * Records when a key was last used without a database write per request: at most one UPDATE per key per
 * minute across every replica (an in-process gate, then a Redis SET NX shared by all), off the request path.
 */
@Injectable()
export class LastUsedStamper {
  private readonly logger = new Logger(LastUsedStamper.name);
  /** Key id -> when this process may try again (ms). */
  private readonly gate = new Map<string, number>();

  constructor(
    private readonly em: EntityManager,
    private readonly store: LimitsStore,
    private readonly metrics: GatewayMetrics,
  ) {}

  touch(keyId: string): void {
    const now = Date.now();
    if ((this.gate.get(keyId) ?? 0) > now) return;
    if (this.gate.size >= GATE_SWEEP_AT) this.sweep(now);
    this.gate.set(keyId, now + STAMP_INTERVAL_SECONDS * 1000);
    void this.stamp(keyId);
  }

  private async stamp(keyId: string): Promise<void> {
    try {
      if (!(await this.store.claimLastUsedStamp(keyId, STAMP_INTERVAL_SECONDS))) {
        this.metrics.lastUsedStamps.inc({ outcome: 'skipped' });
        return;
      }
      await this.em.getConnection().execute('update api_keys set last_used_at = now() where id = ?', [keyId]);
      this.metrics.lastUsedStamps.inc({ outcome: 'written' });
    } catch (error) {
      this.metrics.lastUsedStamps.inc({ outcome: 'failed' });
      // By type only: a driver's message can quote the query's parameters.
      this.logger.error(`last-used stamp failed: ${(error as Error).name}`);
    }
  }

  private sweep(now: number): void {
    for (const [keyId, until] of this.gate) if (until <= now) this.gate.delete(keyId);
  }
}
