import { Inject, Injectable } from '@nestjs/common';
import type { Polar } from '@polar-sh/sdk';
import { POLAR } from '@nomosly/billing';
import { USAGE_EVENT_NAME } from '../ledger/ledger-sender';

/** Events asked for per page when listing a customer's events. */
const EVENTS_PAGE_SIZE = 100;

/**
 * What Polar counts of a customer's usage. The customer meter is read, not the customer state's `active_meters`:
 * a customer meter exists for a customer without a subscription too, and it carries its meter, so ours is found
 * by its filter (events named `api.call`) with no meter id to configure. Its `consumed_units` follows ingestion
 * time over the current period, which is what Polar bills; `meters.quantities` buckets by event time instead.
 */
@Injectable()
export class PolarUsage {
  constructor(@Inject(POLAR) private readonly polar: Polar) {}

  /** Units Polar's meter of usage events holds for the workspace's customer in its current period; 0 when it has no such meter. */
  async consumedUnits(workspaceId: string): Promise<number> {
    let consumed = 0;
    const pages = await this.polar.customerMeters.list({ externalCustomerId: workspaceId, limit: 100 });
    for await (const page of pages) {
      for (const customerMeter of page.result.items) {
        if (countsUsageEvents(customerMeter.meter.filter)) consumed += customerMeter.consumedUnits;
      }
    }
    return consumed;
  }

  /**
   * The usage events Polar holds for the workspace whose timestamp is `from` or later, as match keys (see
   * `usageEventKey`): Polar's event list does not return the `external_id` we ingested them under.
   */
  async usageEventKeys(workspaceId: string, from: Date): Promise<string[]> {
    const keys: string[] = [];
    for (let page = 1; ; page += 1) {
      const listed = await this.polar.events.list({ externalCustomerId: workspaceId, name: USAGE_EVENT_NAME, startTimestamp: from, page, limit: EVENTS_PAGE_SIZE });
      for (const event of listed.items) {
        if (event.name !== USAGE_EVENT_NAME) continue;
        const { operation, units } = event.metadata;
        keys.push(usageEventKey(event.timestamp, String(operation), Number(units)));
      }
      const more = 'maxPage' in listed.pagination ? page < listed.pagination.maxPage : listed.pagination.hasNextPage;
      if (!more || listed.items.length === 0) return keys;
    }
  }
}

/**
 * How a usage record and the event Polar holds for it are matched: its time (to the millisecond, as ingested),
 * operation and units. Two records can share a key; a key Polar holds fewer of than we sent has all its records
 * re-sent, which costs nothing for those Polar has (their `external_id` makes them duplicates).
 */
export function usageEventKey(at: Date, operation: string, units: number): string {
  return `${at.getTime()}|${operation}|${units}`;
}

interface MeterFilter {
  clauses: Array<{ property: string; operator: string; value: string | number | boolean } | MeterFilter>;
}

/** True when the meter's filter selects events by `name == api.call` (at any depth of its clauses). */
function countsUsageEvents(filter: MeterFilter): boolean {
  return filter.clauses.some((clause) =>
    'clauses' in clause ? countsUsageEvents(clause) : clause.property === 'name' && clause.operator === 'eq' && clause.value === USAGE_EVENT_NAME,
  );
}
