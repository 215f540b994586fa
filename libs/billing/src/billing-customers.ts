import type { Polar } from '@polar-sh/sdk';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isPolarStatus } from './polar-errors';

/**
 * A workspace is one Polar customer, `external_id` = the workspace id, made once before its first ingested event
 * or checkout. Creation is serialised per workspace by a Postgres advisory lock held across the Polar call, so two
 * processes (the console's checkout, the billing app's ledger) cannot both create it; a customer Polar already
 * holds under that external id is adopted, not duplicated.
 */
export class BillingCustomers {
  constructor(
    private readonly em: EntityManager,
    private readonly polar: Polar,
  ) {}

  /** The Polar customer id of the workspace, creating the customer when Polar has none. */
  async ensure(workspaceId: string): Promise<string> {
    const known = await this.knownCustomer(this.em.getKnex(), workspaceId);
    if (known) return known;
    return this.em.getKnex().transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`billing-customer:${workspaceId}`]);
      const settled = await this.knownCustomer(trx, workspaceId);
      if (settled) return settled;
      const customerId = (await this.existingCustomer(workspaceId)) ?? (await this.createCustomer(trx, workspaceId));
      await trx.raw(
        `insert into billing_customers (workspace_id, polar_customer_id) values (?, ?)
         on conflict (workspace_id) do update set polar_customer_id = excluded.polar_customer_id`,
        [workspaceId, customerId],
      );
      return customerId;
    });
  }

  private async knownCustomer(db: ReturnType<EntityManager['getKnex']>, workspaceId: string): Promise<string | undefined> {
    const result = await db.raw<{ rows: Array<{ polar_customer_id: string | null }> }>(
      'select polar_customer_id from billing_customers where workspace_id = ?',
      [workspaceId],
    );
    return result.rows[0]?.polar_customer_id ?? undefined;
  }

  private async existingCustomer(workspaceId: string): Promise<string | undefined> {
    try {
      return (await this.polar.customers.getExternal({ externalId: workspaceId })).id;
    } catch (error) {
      if (isPolarStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private async createCustomer(db: ReturnType<EntityManager['getKnex']>, workspaceId: string): Promise<string> {
    const owner = await db.raw<{ rows: Array<{ email: string; name: string }> }>(
      `select u.email, w.name from workspaces w
       join memberships m on m.workspace_id = w.id and m.role = 'owner'
       join users u on u.id = m.user_id
       where w.id = ? order by m.created_at, u.id limit 1`,
      [workspaceId],
    );
    const row = owner.rows[0];
    if (!row) throw new Error(`workspace ${workspaceId} has no owner to bill`);
    try {
      return (await this.polar.customers.create({ email: row.email, name: row.name, externalId: workspaceId })).id;
    } catch (error) {
      if (!isPolarStatus(error, 422)) throw error;
      // Polar keeps one customer per email: an owner of several workspaces is billed at a tagged address for the others.
      const adopted = await this.existingCustomer(workspaceId);
      if (adopted) return adopted;
      return (await this.polar.customers.create({ email: taggedEmail(row.email, workspaceId), name: row.name, externalId: workspaceId })).id;
    }
  }
}

/** `ann@example.com` for workspace `1f2e...` becomes `ann+1f2e3d4c@example.com`. */
export function taggedEmail(email: string, workspaceId: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, at)}+${workspaceId.replace(/-/g, '').slice(0, 8)}${email.slice(at)}`;
}
