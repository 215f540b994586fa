import { Logger } from '@nestjs/common';
import type { PolarProducts } from '@nomosly/billing';
import { CustomerWebhooks } from './customer-webhooks';
import { OrderWebhooks } from './order-webhooks';
import { type PayloadSchema, customerPayloads, issuePaths, orderPayloads, subscriptionPayloads } from './polar-webhook-schemas';
import { SubscriptionWebhooks } from './subscription-webhooks';
import type { HandledWebhook, Transaction } from './webhook-outcome';

/** Parses a payload with its type's SDK schema and applies it; 'unparseable' (logged by field path) when the schema refuses it. */
export type WebhookHandler = (trx: Transaction, webhookId: string, payload: unknown) => Promise<HandledWebhook | 'unparseable'>;

/** One handler per Polar webhook type this app acts on; any other type is acknowledged and ignored. */
export function webhookHandlers(products: PolarProducts): ReadonlyMap<string, WebhookHandler> {
  const logger = new Logger('PolarWebhooks');
  const handlers = new Map<string, WebhookHandler>();
  const on = <T>(schemas: Record<string, PayloadSchema<T>>, apply: (trx: Transaction, webhookId: string, object: T) => Promise<HandledWebhook>) => {
    for (const [type, schema] of Object.entries(schemas)) {
      handlers.set(type, async (trx, webhookId, payload) => {
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          logger.warn(`webhook ${webhookId} (${type}) does not match the SDK's schema at ${issuePaths(parsed.error.issues)}; acknowledged, not applied`);
          return 'unparseable';
        }
        return apply(trx, webhookId, parsed.data.data);
      });
    }
  };
  const subscriptions = new SubscriptionWebhooks(products);
  const orders = new OrderWebhooks();
  const customers = new CustomerWebhooks();
  on(subscriptionPayloads, (trx, id, subscription) => subscriptions.apply(trx, id, subscription));
  on(orderPayloads, (trx, id, order) => orders.apply(trx, id, order));
  on(customerPayloads, (trx, id, customer) => customers.apply(trx, id, customer));
  return handlers;
}
