import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { UsageGrouping, UsagePeriod } from './usage.dto';

export interface UsageSum {
  day?: string;
  operation?: string;
  keyId?: string;
  calls: number;
  units: number;
}

export interface UsageCsvRow {
  day: string;
  operation: string;
  keyId: string;
  /** Empty when the key has been deleted since. */
  keyPrefix: string;
  calls: number;
  units: number;
}

/** The column each grouping sums by, and how it is named in the answer. Never built from client text. */
const GROUPING_COLUMNS: Record<UsageGrouping, { select: string; field: keyof UsageSum }> = {
  day: { select: `to_char("day", 'YYYY-MM-DD')`, field: 'day' },
  operation: { select: '"operation"', field: 'operation' },
  key: { select: '"key_id"::text', field: 'keyId' },
};

/** Reads of the daily rollups (usage_daily): one row per workspace, key, operation and UTC day. */
@Injectable()
export class UsageQueries {
  constructor(private readonly em: EntityManager) {}

  async sums(workspaceId: string, period: UsagePeriod, groupBy: UsageGrouping): Promise<UsageSum[]> {
    const column = GROUPING_COLUMNS[groupBy];
    const rows = await this.em.getConnection().execute<Array<{ grouped: string; calls: string; units: string }>>(
      `select ${column.select} as grouped, sum("calls")::text as calls, sum("units")::text as units
         from "usage_daily"
        where "workspace_id" = ? and "day" between ?::date and ?::date
        group by 1 order by 1`,
      [workspaceId, period.from, period.to],
    );
    return rows.map((row) => ({ [column.field]: row.grouped, calls: Number(row.calls), units: Number(row.units) }) as UsageSum);
  }

  async csvRows(workspaceId: string, period: UsagePeriod): Promise<UsageCsvRow[]> {
    const rows = await this.em.getConnection().execute<
      Array<{ day: string; operation: string; key_id: string; key_prefix: string | null; calls: string; units: string }>
    >(
      `select to_char(u."day", 'YYYY-MM-DD') as day, u."operation", u."key_id"::text as key_id, k."prefix" as key_prefix,
              u."calls"::text as calls, u."units"::text as units
         from "usage_daily" u
         left join "api_keys" k on k."id" = u."key_id" and k."workspace_id" = u."workspace_id"
        where u."workspace_id" = ? and u."day" between ?::date and ?::date
        order by u."day", u."operation", u."key_id"`,
      [workspaceId, period.from, period.to],
    );
    return rows.map((row) => ({
      day: row.day,
      operation: row.operation,
      keyId: row.key_id,
      keyPrefix: row.key_prefix ?? '',
      calls: Number(row.calls),
      units: Number(row.units),
    }));
  }
}
