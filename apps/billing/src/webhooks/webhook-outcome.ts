import type { Knex } from '@mikro-orm/postgresql';

/** What became of one webhook, as stored in billing_webhook_events and counted in billing_webhooks_total. */
export type WebhookOutcome = 'applied' | 'ignored' | 'stale' | 'unparseable';

/** A handler's result: its outcome, and the workspace whose plan it changed (to announce once committed). */
export interface HandledWebhook {
  outcome: Exclude<WebhookOutcome, 'unparseable'>;
  planChangedFor?: string;
}

export type Transaction = Knex.Transaction;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The workspace a Polar customer stands for: its `external_id`, when that is the id of one of our workspaces.
 * `lock` holds the workspace row to the end of the transaction, so that two webhooks of one workspace set its
 * plan one after the other.
 */
export async function ourWorkspace(trx: Transaction, externalId: string | null | undefined, { lock = false } = {}): Promise<string | undefined> {
  if (!externalId || !UUID.test(externalId)) return undefined;
  const result = await trx.raw<{ rows: Array<{ id: string }> }>(`select id from workspaces where id = ?${lock ? ' for update' : ''}`, [externalId]);
  return result.rows[0]?.id;
}

/** The version of Polar's object a webhook carries: newer state has a later `modified_at`. */
export function polarVersion(object: { createdAt: Date; modifiedAt: Date | null }): Date {
  return object.modifiedAt ?? object.createdAt;
}
