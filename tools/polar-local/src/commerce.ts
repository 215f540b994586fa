import { createHash } from 'node:crypto';
import { PolarHttpError } from './http';
import { newId } from './ids';
import type { CheckoutRecord, CustomerRecord, PolarState, ProductRecord, SubscriptionRecord } from './state';
import type { WebhookSender } from './webhooks';
import { customerJson, customerStateJson, orderJson, subscriptionJson } from './wire';

/** What an operation that changes billing state needs: the state, the clock, and where its webhooks go. */
export interface Commerce {
  state: PolarState;
  webhooks: WebhookSender;
  now(): Date;
}

export function addOneMonth(date: Date): Date {
  const next = new Date(date);
  next.setUTCMonth(next.getUTCMonth() + 1);
  return next;
}

/**
 * What a paying customer's "Pay" does: the customer (created if new), an active monthly subscription, its first
 * paid order, then Polar's webhooks in Polar's order (its server sends `subscription.updated` after
 * `subscription.active`, and `order.updated` between `order.created` and `order.paid` for an order created paid).
 */
export function completeCheckout(commerce: Commerce, checkout: CheckoutRecord, email: string | null): SubscriptionRecord {
  const { state, webhooks } = commerce;
  if (checkout.status !== 'open') throw new PolarHttpError(409, { error: 'AlreadyConfirmed', detail: 'This checkout is already confirmed.' });
  const now = commerce.now();
  const product = state.products.get(checkout.productId) as ProductRecord;
  const customerEmail = email || checkout.customerEmail || `${checkout.externalCustomerId ?? checkout.id}@customers.polar-local.test`;

  let customer =
    (checkout.customerId ? state.customers.get(checkout.customerId) : undefined) ??
    (checkout.externalCustomerId ? state.customerByExternalId(checkout.externalCustomerId) : state.customerByEmail(customerEmail));
  // Polar's default (an organization without `allow_multiple_subscriptions`): one billable subscription per customer.
  if (customer && state.activeSubscriptionOf(customer.id)) {
    throw new PolarHttpError(403, { error: 'AlreadyActiveSubscriptionError', detail: 'You already have an active subscription.' });
  }
  const isNewCustomer = !customer;
  if (!customer) {
    customer = state.createCustomer({ email: customerEmail, externalId: checkout.externalCustomerId, name: checkout.customerName, metadata: {} }, now);
  }

  const subscription: SubscriptionRecord = {
    id: newId(),
    customerId: customer.id,
    productId: product.id,
    checkoutId: checkout.id,
    status: 'active',
    amount: product.priceAmountCents,
    currentPeriodStart: now,
    currentPeriodEnd: addOneMonth(now),
    startedAt: now,
    createdAt: now,
    modifiedAt: null,
    canceledAt: null,
    endsAt: null,
    endedAt: null,
  };
  state.subscriptions.set(subscription.id, subscription);
  const order = {
    id: newId(),
    customerId: customer.id,
    productId: product.id,
    subscriptionId: subscription.id,
    checkoutId: checkout.id,
    billingReason: 'subscription_create' as const,
    status: 'paid' as const,
    subtotalAmount: product.priceAmountCents,
    invoiceNumber: state.nextInvoiceNumber(),
    isInvoiceGenerated: false,
    createdAt: now,
    modifiedAt: null,
  };
  state.orders.set(order.id, order);
  Object.assign(checkout, { status: 'succeeded', customerId: customer.id, subscriptionId: subscription.id, modifiedAt: now });

  if (isNewCustomer) webhooks.send('customer.created', customerJson(customer), now);
  for (const type of ['subscription.created', 'subscription.active', 'subscription.updated']) {
    webhooks.send(type, subscriptionJson(state, subscription), now);
  }
  for (const type of ['order.created', 'order.updated', 'order.paid']) webhooks.send(type, orderJson(state, order), now);
  webhooks.send('customer.state_changed', customerStateJson(state, customer), now);
  return subscription;
}

/** `DELETE /v1/subscriptions/{id}`: ended now; Polar sends `subscription.updated`, `.canceled`, `.revoked` in this order. */
export function revokeSubscription(commerce: Commerce, subscription: SubscriptionRecord): SubscriptionRecord {
  if (subscription.status !== 'active') {
    throw new PolarHttpError(403, { error: 'AlreadyCanceledSubscription', detail: 'This subscription is already canceled.' });
  }
  const now = commerce.now();
  Object.assign(subscription, { status: 'canceled', canceledAt: now, endsAt: now, endedAt: now, modifiedAt: now });
  const { state, webhooks } = commerce;
  for (const type of ['subscription.updated', 'subscription.canceled', 'subscription.revoked']) {
    webhooks.send(type, subscriptionJson(state, subscription), now);
  }
  const customer = state.customers.get(subscription.customerId);
  if (customer) webhooks.send('customer.state_changed', customerStateJson(state, customer), now);
  return subscription;
}

/**
 * `DELETE /v1/customers/external/{id}`: its subscriptions are revoked (with their webhooks), then the customer is
 * soft-deleted; with `anonymize`, its personal fields are also replaced, the record kept for the books.
 */
export function deleteCustomer(commerce: Commerce, customer: CustomerRecord, anonymize: boolean): void {
  for (const subscription of commerce.state.subscriptionsOf(customer.id)) {
    if (subscription.status === 'active') revokeSubscription(commerce, subscription);
  }
  const now = commerce.now();
  customer.deletedAt = now;
  customer.modifiedAt = now;
  if (anonymize) {
    const hash = createHash('sha256').update(customer.email).digest('hex').slice(0, 16);
    customer.email = `${hash}@anonymized.polar-local.invalid`;
    customer.name = null;
    customer.metadata = {};
  }
  commerce.webhooks.send('customer.deleted', customerJson(customer), now);
}
