import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { requireId } from '@nomosly/accounts';
import type { UsagePeriod, UsageQuery } from './usage.dto';
import { UsageQueries, type UsageSum } from './usage.queries';

export interface UsageReport {
  from: string;
  to: string;
  totals: { calls: number; units: number };
  rows: UsageSum[];
}

const CSV_COLUMNS = ['day', 'operation', 'keyId', 'keyPrefix', 'calls', 'units'] as const;

/** A workspace's usage over whole UTC days, from the daily rollups. */
@Injectable()
export class UsageService {
  constructor(private readonly queries: UsageQueries) {}

  async report(workspaceId: string, query: UsageQuery): Promise<UsageReport> {
    const rows = await this.queries.sums(requireId(workspaceId, 'workspace'), query, query.groupBy);
    const totals = rows.reduce((sum, row) => ({ calls: sum.calls + row.calls, units: sum.units + row.units }), { calls: 0, units: 0 });
    return { from: query.from, to: query.to, totals, rows };
  }

  /** One line per day, operation and key, under a header line; values escaped by csv-stringify. */
  async csv(workspaceId: string, period: UsagePeriod): Promise<string> {
    const rows = await this.queries.csvRows(requireId(workspaceId, 'workspace'), period);
    return stringify(rows, { header: true, columns: [...CSV_COLUMNS] });
  }
}
