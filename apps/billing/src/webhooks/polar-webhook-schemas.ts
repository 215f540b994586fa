import type { Customer } from '@polar-sh/sdk/dist/commonjs/models/components/customer';
import type { Order } from '@polar-sh/sdk/dist/commonjs/models/components/order';
import type { Subscription } from '@polar-sh/sdk/dist/commonjs/models/components/subscription';

export type { Customer as PolarCustomer, Order as PolarOrder, Subscription as PolarSubscription };

/** What the SDK's webhook payload schemas give back, in the part of zod's result this app reads. */
type SafeParse<T> = (input: unknown) => { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }> } };

export interface PayloadSchema<T> {
  safeParse: SafeParse<{ type: string; timestamp: Date; data: T }>;
}

/**
 * The SDK's own schema for one webhook payload (`Webhook<Name>Payload$inboundSchema`, as its `validateEvent` uses).
 * They are reached through the package's subpath exports, which Node's `require` follows and this repository's
 * `moduleResolution: node` does not: the types come from the files those exports point at, the values from `require`.
 */
function sdkSchema<T>(file: string, exportName: string): PayloadSchema<T> {
  const module = require(`@polar-sh/sdk/models/components/${file}.js`) as Record<string, PayloadSchema<T> | undefined>;
  const schema = module[`${exportName}$inboundSchema`];
  if (!schema) throw new Error(`@polar-sh/sdk has no ${exportName}$inboundSchema in models/components/${file}.js`);
  return schema;
}

/** The Polar webhook types this app acts on, each with the SDK 0.49 schema its payload must pass. */
export const subscriptionPayloads = {
  'subscription.created': sdkSchema<Subscription>('webhooksubscriptioncreatedpayload', 'WebhookSubscriptionCreatedPayload'),
  'subscription.updated': sdkSchema<Subscription>('webhooksubscriptionupdatedpayload', 'WebhookSubscriptionUpdatedPayload'),
  'subscription.active': sdkSchema<Subscription>('webhooksubscriptionactivepayload', 'WebhookSubscriptionActivePayload'),
  'subscription.canceled': sdkSchema<Subscription>('webhooksubscriptioncanceledpayload', 'WebhookSubscriptionCanceledPayload'),
  'subscription.uncanceled': sdkSchema<Subscription>('webhooksubscriptionuncanceledpayload', 'WebhookSubscriptionUncanceledPayload'),
  'subscription.revoked': sdkSchema<Subscription>('webhooksubscriptionrevokedpayload', 'WebhookSubscriptionRevokedPayload'),
  'subscription.past_due': sdkSchema<Subscription>('webhooksubscriptionpastduepayload', 'WebhookSubscriptionPastDuePayload'),
} as const;

export const orderPayloads = {
  'order.created': sdkSchema<Order>('webhookordercreatedpayload', 'WebhookOrderCreatedPayload'),
  'order.updated': sdkSchema<Order>('webhookorderupdatedpayload', 'WebhookOrderUpdatedPayload'),
  'order.paid': sdkSchema<Order>('webhookorderpaidpayload', 'WebhookOrderPaidPayload'),
  'order.refunded': sdkSchema<Order>('webhookorderrefundedpayload', 'WebhookOrderRefundedPayload'),
} as const;

export const customerPayloads = {
  'customer.created': sdkSchema<Customer>('webhookcustomercreatedpayload', 'WebhookCustomerCreatedPayload'),
  'customer.updated': sdkSchema<Customer>('webhookcustomerupdatedpayload', 'WebhookCustomerUpdatedPayload'),
} as const;

/** Where a payload failed its schema: field paths only, never values (a payload can carry personal data). */
export function issuePaths(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>, max = 5): string {
  const paths = issues.slice(0, max).map((issue) => issue.path.map(String).join('.') || '(root)');
  return issues.length > max ? `${paths.join(', ')} and ${issues.length - max} more` : paths.join(', ');
}
