import { Logger } from '@nestjs/common';
import type { PolarCustomer } from './polar-webhook-schemas';
import { type HandledWebhook, type Transaction, ourWorkspace } from './webhook-outcome';

/** A Polar customer made for one of our workspaces is remembered (only its id), unless one is known already. */
export class CustomerWebhooks {
  private readonly logger = new Logger(CustomerWebhooks.name);

  async apply(trx: Transaction, webhookId: string, customer: PolarCustomer): Promise<HandledWebhook> {
    const workspaceId = await ourWorkspace(trx, customer.externalId);
    if (!workspaceId) {
      this.logger.warn(`webhook ${webhookId}: customer ${customer.id} is none of our workspaces; ignored`);
      return { outcome: 'ignored' };
    }
    await trx.raw('insert into billing_customers (workspace_id, polar_customer_id) values (?, ?) on conflict do nothing', [workspaceId, customer.id]);
    return { outcome: 'applied' };
  }
}
