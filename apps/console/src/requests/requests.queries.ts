import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { RequestsCursor } from './requests.dto';

export interface RequestLogItem {
  at: string;
  ip: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  requestId: string;
  keyPrefix: string | null;
}

export interface RequestLogFilter {
  status?: number;
  path?: string;
  keyPrefix?: string;
  /** Only rows strictly after this one in (at desc, request id desc) order. */
  after?: RequestsCursor;
}

interface RequestLogRow {
  at: Date;
  ip: string;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  request_id: string;
  key_prefix: string | null;
  /** `at` to the microsecond: a cursor built from a JS Date (milliseconds) could skip or repeat rows. */
  cursor_at: string;
}

/** Reads of the request log, newest first, by keyset on (at, request_id): the index's own order. */
@Injectable()
export class RequestsQueries {
  constructor(private readonly em: EntityManager) {}

  async page(workspaceId: string, filter: RequestLogFilter, limit: number): Promise<Array<{ item: RequestLogItem; cursor: RequestsCursor }>> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (condition: string, ...values: unknown[]) => {
      conditions.push(condition);
      params.push(...values);
    };
    where('"workspace_id" = ?', workspaceId);
    if (filter.status !== undefined) where('"status" = ?', filter.status);
    if (filter.path !== undefined) where('"path" = ?', filter.path);
    if (filter.keyPrefix !== undefined) where('"key_prefix" = ?', filter.keyPrefix);
    if (filter.after) where('("at", "request_id") < (?::timestamptz, ?)', filter.after.at, filter.after.requestId);
    const rows = await this.em.getConnection().execute<RequestLogRow[]>(
      `select "at", "ip", "method", "path", "status", "latency_ms", "request_id", "key_prefix",
              to_char("at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
         from "request_log"
        where ${conditions.join(' and ')}
        order by "at" desc, "request_id" desc
        limit ?`,
      [...params, limit],
    );
    return rows.map((row) => ({
      item: {
        at: new Date(row.at).toISOString(),
        ip: row.ip,
        method: row.method,
        path: row.path,
        status: row.status,
        latencyMs: row.latency_ms,
        requestId: row.request_id,
        keyPrefix: row.key_prefix,
      },
      cursor: { at: row.cursor_at, requestId: row.request_id },
    }));
  }
}
