import { Client } from 'pg';

export interface UsageDailyRow {
  workspaceId: string;
  keyId: string;
  operation: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  calls: number;
  units: number;
}

export interface UsageRecordRow {
  eventId: string;
  workspaceId: string;
  userId: string;
  keyId: string;
  operation: string;
  units: number;
  status: number;
  latencyMs: number;
  at: Date;
}

export interface RequestLogRow {
  requestId: string;
  workspaceId: string | null;
  /** A Date, or ISO text to keep microseconds. */
  at: Date | string;
  ip: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  keyPrefix: string | null;
}

/**
 * Writes rows the usage app would write from the events queue (usage_records, usage_daily, request_log), for tests of
 * what reads them; nothing is checked against the events that would have produced them.
 */
export async function insertUsageRows(databaseUrl: string, rows: { records?: UsageRecordRow[]; daily?: UsageDailyRow[]; requests?: RequestLogRow[] }): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const row of rows.records ?? []) {
      await client.query(
        'insert into usage_records (event_id, workspace_id, user_id, key_id, operation, units, status, latency_ms, at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [row.eventId, row.workspaceId, row.userId, row.keyId, row.operation, row.units, row.status, row.latencyMs, row.at],
      );
    }
    for (const row of rows.daily ?? []) {
      await client.query(
        'insert into usage_daily (workspace_id, key_id, operation, day, calls, units) values ($1, $2, $3, $4, $5, $6)',
        [row.workspaceId, row.keyId, row.operation, row.day, row.calls, row.units],
      );
    }
    for (const row of rows.requests ?? []) {
      await client.query(
        'insert into request_log (request_id, workspace_id, at, ip, method, path, status, latency_ms, key_prefix) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [row.requestId, row.workspaceId, row.at, row.ip, row.method, row.path, row.status, row.latencyMs, row.keyPrefix],
      );
    }
  } finally {
    await client.end();
  }
}
