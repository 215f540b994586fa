import { Logger } from '@nestjs/common';
import type { PolarOrder } from './polar-webhook-schemas';
import { type HandledWebhook, type Transaction, ourWorkspace, polarVersion } from './webhook-outcome';

/** An order is stored as an invoice (a whitelist of columns: number, amounts, currency, status), newest version kept. */
export class OrderWebhooks {
  private readonly logger = new Logger(OrderWebhooks.name);

  async apply(trx: Transaction, webhookId: string, order: PolarOrder): Promise<HandledWebhook> {
    const workspaceId = await ourWorkspace(trx, order.customer.externalId);
    if (!workspaceId) {
      this.logger.warn(`webhook ${webhookId}: order ${order.id} is of customer ${order.customerId}, which is none of our workspaces; ignored`);
      return { outcome: 'ignored' };
    }
    const result = await trx.raw<{ rows: unknown[] }>(
      `insert into billing_invoices as i (order_id, workspace_id, polar_customer_id, subscription_id, number, status, billing_reason,
         currency, subtotal_cents, discount_cents, tax_cents, total_cents, created_at, polar_version, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
       on conflict (order_id) do update set
         workspace_id = excluded.workspace_id, polar_customer_id = excluded.polar_customer_id, subscription_id = excluded.subscription_id,
         number = excluded.number, status = excluded.status, billing_reason = excluded.billing_reason, currency = excluded.currency,
         subtotal_cents = excluded.subtotal_cents, discount_cents = excluded.discount_cents, tax_cents = excluded.tax_cents,
         total_cents = excluded.total_cents, created_at = excluded.created_at, polar_version = excluded.polar_version, updated_at = now()
       where i.polar_version <= excluded.polar_version
       returning i.order_id`,
      [
        order.id,
        workspaceId,
        order.customerId,
        order.subscriptionId,
        // Polar numbers an invoice when the order is made; an order without a number yet gets it with a later update.
        order.invoiceNumber ?? '',
        order.status,
        order.billingReason,
        order.currency,
        order.subtotalAmount,
        order.discountAmount,
        order.taxAmount,
        order.totalAmount,
        order.createdAt,
        polarVersion(order),
      ],
    );
    return { outcome: result.rows.length > 0 ? 'applied' : 'stale' };
  }
}
