import { z } from 'zod';

/**
 * How long each kind of data is kept (P6): the one table the retention sweeps enforce and the console's
 * privacy page shows. Days; overridable per deployment by the variables named, within legal bounds.
 */
export const RETENTION_DEFAULTS = Object.freeze({
  /** Request log rows (the server log of API calls). */
  requestLogDays: 30,
  /** Per-call usage records: long enough for billing reconciliation. */
  usageRecordDays: 400,
  /** Daily usage rollups, invoices and ledger rows: 7 years (2557 days covers any seven calendar years), for tax and accounting. */
  rollupDays: 2557,
  /** Workspace invitations (the invitee's email), counted from their acceptance, or from their expiry when never accepted. */
  invitationDays: 30,
} as const);

export const retentionSchema = z.object({
  // The policy's promises bound what a deployment may set: server logs at most 30 days, rollups at least 7 years.
  requestLogDays: z.coerce.number().int().min(1).max(30).default(RETENTION_DEFAULTS.requestLogDays),
  usageRecordDays: z.coerce.number().int().min(35).max(3650).default(RETENTION_DEFAULTS.usageRecordDays),
  rollupDays: z.coerce.number().int().min(2557).max(3650).default(RETENTION_DEFAULTS.rollupDays),
  // An invitee's email is no account data of theirs: kept at most 30 days once the invitation is settled.
  invitationDays: z.coerce.number().int().min(1).max(30).default(RETENTION_DEFAULTS.invitationDays),
});
export type Retention = z.infer<typeof retentionSchema>;

/** The environment variables that set the table, for an app's config schema. */
export const retentionEnv = {
  RETENTION_REQUEST_LOG_DAYS: retentionSchema.shape.requestLogDays,
  RETENTION_USAGE_RECORD_DAYS: retentionSchema.shape.usageRecordDays,
  RETENTION_ROLLUP_DAYS: retentionSchema.shape.rollupDays,
  RETENTION_INVITATION_DAYS: retentionSchema.shape.invitationDays,
};

export function retentionFrom(config: {
  RETENTION_REQUEST_LOG_DAYS: number;
  RETENTION_USAGE_RECORD_DAYS: number;
  RETENTION_ROLLUP_DAYS: number;
  RETENTION_INVITATION_DAYS: number;
}): Retention {
  return {
    requestLogDays: config.RETENTION_REQUEST_LOG_DAYS,
    usageRecordDays: config.RETENTION_USAGE_RECORD_DAYS,
    rollupDays: config.RETENTION_ROLLUP_DAYS,
    invitationDays: config.RETENTION_INVITATION_DAYS,
  };
}

/** Server log files (what the apps print, kept by `npm start` one file per day): deleted after this many days (P6). */
export const SERVER_LOG_RETENTION_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The oldest moment (request log, usage records; for invitations, of acceptance or else expiry) and the oldest UTC
 * day (rollups) each table keeps at `now`.
 */
export function retentionCutoffs(
  retention: Retention,
  now: Date,
): { requestLogFrom: Date; usageRecordsFrom: Date; usageDailyFrom: string; invitationsFrom: Date } {
  return {
    invitationsFrom: new Date(now.getTime() - retention.invitationDays * DAY_MS),
    requestLogFrom: new Date(now.getTime() - retention.requestLogDays * DAY_MS),
    usageRecordsFrom: new Date(now.getTime() - retention.usageRecordDays * DAY_MS),
    usageDailyFrom: new Date(now.getTime() - retention.rollupDays * DAY_MS).toISOString().slice(0, 10),
  };
}
