// The SDK publishes its models only through package `exports`, which this repo's `moduleResolution: node` does not
// read; the declaration files of its CommonJS build are the same types. Type imports only: nothing is loaded.
import type { Checkout$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/checkout';
import type { CustomerIndividual$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/customerindividual';
import type { CustomerStateIndividual$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/customerstateindividual';
import type { CustomerStateSubscription$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/customerstatesubscription';
import type { Meter$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/meter';
import type { Order$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/order';
import type { OrderProduct$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/orderproduct';
import type { OrderSubscription$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/ordersubscription';
import type { Product$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/product';
import type { ProductPrice$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/productprice';
import type { Subscription$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/subscription';
import type { SubscriptionMeter$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/subscriptionmeter';
import { ORGANIZATION_ID, stableUuid } from './ids';
import type { CheckoutRecord, CustomerRecord, CustomerSessionRecord, EventRecord, Metadata, OrderRecord, PolarState, ProductRecord, SubscriptionRecord } from './state';

/**
 * Polar's JSON for each record, snake_case with every nullable present, as Polar's server serialises it. Typed
 * against the SDK's own wire (`$Outbound`) types, so a field the SDK requires cannot be left out here.
 */
const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

export type WireCustomer = CustomerIndividual$Outbound;

// The SDK exports no wire type for these three (it only ever reads them); the contract spec checks them against its schemas.
export interface WireUserEvent {
  id: string;
  timestamp: string;
  organization_id: string;
  customer_id: string | null;
  customer: WireCustomer | null;
  external_customer_id: string | null;
  member_id: string | null;
  external_member_id: string | null;
  child_count: number;
  parent_id: string | null;
  label: string;
  name: string;
  source: 'user';
  metadata: Metadata;
}

export interface WireCustomerMeter {
  id: string;
  created_at: string;
  modified_at: string | null;
  customer_id: string;
  meter_id: string;
  consumed_units: number;
  credited_units: number;
  balance: number;
  customer: WireCustomer;
  meter: Meter$Outbound;
}

export function customerJson(customer: CustomerRecord): WireCustomer {
  return {
    id: customer.id,
    created_at: iso(customer.createdAt),
    modified_at: isoOrNull(customer.modifiedAt),
    metadata: customer.metadata,
    external_id: customer.externalId,
    email: customer.email,
    email_verified: false,
    type: 'individual',
    name: customer.name,
    billing_name: null,
    billing_address: null,
    tax_id: null,
    locale: null,
    organization_id: ORGANIZATION_ID,
    default_payment_method_id: null,
    deleted_at: isoOrNull(customer.deletedAt),
    avatar_url: null,
  };
}

export function meterJson(state: PolarState): Meter$Outbound {
  const { meter } = state;
  return {
    metadata: {},
    created_at: iso(meter.createdAt),
    modified_at: null,
    id: meter.id,
    name: meter.name,
    unit: 'scalar',
    custom_label: null,
    custom_multiplier: null,
    filter: { conjunction: 'and', clauses: [{ property: 'name', operator: 'eq', value: meter.eventName }] },
    aggregation: { func: 'sum', property: `metadata.${meter.property}` },
    organization_id: ORGANIZATION_ID,
    archived_at: null,
  };
}

function productBase(product: ProductRecord): OrderProduct$Outbound {
  return {
    metadata: { plan: product.plan },
    id: product.id,
    created_at: iso(product.createdAt),
    modified_at: null,
    trial_interval: null,
    trial_interval_count: null,
    name: product.name,
    description: null,
    visibility: 'public',
    recurring_interval: 'month',
    recurring_interval_count: 1,
    meter_interval: null,
    meter_interval_count: null,
    is_recurring: true,
    is_archived: false,
    organization_id: ORGANIZATION_ID,
  };
}

export function pricesJson(state: PolarState, product: ProductRecord): ProductPrice$Outbound[] {
  const common = {
    created_at: iso(product.createdAt),
    modified_at: null,
    source: 'catalog',
    price_currency: 'usd',
    tax_behavior: null,
    is_archived: false,
    product_id: product.id,
  };
  const prices: ProductPrice$Outbound[] = [];
  if (product.fixedPriceId) {
    prices.push({ ...common, id: product.fixedPriceId, amount_type: 'fixed', price_amount: product.priceAmountCents });
  }
  prices.push({
    ...common,
    id: product.meteredPriceId,
    amount_type: 'metered_unit',
    unit_amount: product.meteredUnitAmountCents,
    cap_amount: null,
    meter_id: state.meter.id,
    meter: { id: state.meter.id, name: state.meter.name, unit: 'scalar', custom_label: null, custom_multiplier: null },
  });
  return prices;
}

export function productJson(state: PolarState, product: ProductRecord): Product$Outbound {
  return { ...productBase(product), prices: pricesJson(state, product), benefits: [], medias: [], attached_custom_fields: [] };
}

function subscriptionBase(subscription: SubscriptionRecord): OrderSubscription$Outbound {
  return {
    metadata: {},
    created_at: iso(subscription.createdAt),
    modified_at: isoOrNull(subscription.modifiedAt),
    id: subscription.id,
    amount: subscription.amount,
    currency: 'usd',
    recurring_interval: 'month',
    recurring_interval_count: 1,
    status: subscription.status,
    current_period_start: iso(subscription.currentPeriodStart),
    current_period_end: iso(subscription.currentPeriodEnd),
    current_meter_period_start: iso(subscription.currentPeriodStart),
    current_meter_period_end: iso(subscription.currentPeriodEnd),
    trial_start: null,
    trial_end: null,
    cancel_at_period_end: false,
    canceled_at: isoOrNull(subscription.canceledAt),
    started_at: iso(subscription.startedAt),
    ends_at: isoOrNull(subscription.endsAt),
    ended_at: isoOrNull(subscription.endedAt),
    past_due_at: null,
    pause_at_period_end: false,
    paused_at: null,
    resumes_at: null,
    customer_id: subscription.customerId,
    product_id: subscription.productId,
    discount_id: null,
    checkout_id: subscription.checkoutId,
    seats: null,
    customer_cancellation_reason: null,
    customer_cancellation_comment: null,
  };
}

function subscriptionMeterJson(state: PolarState, subscription: SubscriptionRecord): SubscriptionMeter$Outbound {
  const customer = state.customers.get(subscription.customerId);
  const consumed = customer && subscription.status === 'active' ? state.consumedUnits(customer) : 0;
  const product = state.products.get(subscription.productId);
  return {
    created_at: iso(subscription.createdAt),
    modified_at: null,
    id: stableUuid(`polar-local:subscription-meter:${subscription.id}`),
    consumed_units: consumed,
    credited_units: 0,
    amount: product ? Math.round(consumed * Number(product.meteredUnitAmountCents)) : 0,
    meter_id: state.meter.id,
    meter: meterJson(state),
  };
}

export function subscriptionJson(state: PolarState, subscription: SubscriptionRecord): Subscription$Outbound {
  const customer = state.customers.get(subscription.customerId) as CustomerRecord;
  const product = state.products.get(subscription.productId) as ProductRecord;
  return {
    ...subscriptionBase(subscription),
    custom_field_data: {},
    customer: customerJson(customer),
    product: productJson(state, product),
    discount: null,
    prices: pricesJson(state, product),
    meters: [subscriptionMeterJson(state, subscription)],
    pending_update: null,
  };
}

export function orderJson(state: PolarState, order: OrderRecord): Order$Outbound {
  const customer = state.customers.get(order.customerId) as CustomerRecord;
  const product = state.products.get(order.productId) as ProductRecord;
  const subscription = order.subscriptionId ? state.subscriptions.get(order.subscriptionId) : undefined;
  const paid = order.status === 'paid';
  return {
    id: order.id,
    created_at: iso(order.createdAt),
    modified_at: isoOrNull(order.modifiedAt),
    status: order.status,
    paid,
    subtotal_amount: order.subtotalAmount,
    discount_amount: 0,
    net_amount: order.subtotalAmount,
    tax_amount: 0,
    total_amount: order.subtotalAmount,
    applied_balance_amount: 0,
    due_amount: paid ? 0 : order.subtotalAmount,
    refunded_amount: 0,
    refunded_tax_amount: 0,
    currency: 'usd',
    billing_reason: order.billingReason,
    billing_name: customer.name,
    billing_address: null,
    invoice_number: order.invoiceNumber,
    is_invoice_generated: order.isInvoiceGenerated,
    receipt_number: null,
    seats: null,
    customer_id: order.customerId,
    product_id: order.productId,
    discount_id: null,
    subscription_id: order.subscriptionId,
    checkout_id: order.checkoutId,
    next_payment_attempt_at: null,
    metadata: {},
    custom_field_data: {},
    platform_fee_amount: 0,
    platform_fee_currency: null,
    customer: customerJson(customer),
    product: productBase(product),
    discount: null,
    subscription: subscription ? subscriptionBase(subscription) : null,
    items: [
      {
        created_at: iso(order.createdAt),
        modified_at: null,
        id: stableUuid(`polar-local:order-item:${order.id}`),
        label: product.name,
        amount: order.subtotalAmount,
        tax_amount: 0,
        proration: false,
        product_price_id: product.fixedPriceId ?? product.meteredPriceId,
      },
    ],
    description: product.name,
    refundable_amount: paid ? order.subtotalAmount : 0,
    refundable_tax_amount: 0,
  };
}

export function userEventJson(state: PolarState, event: EventRecord): WireUserEvent {
  const customer =
    (event.customerId ? state.customers.get(event.customerId) : undefined) ??
    (event.externalCustomerId ? state.customerByExternalId(event.externalCustomerId) : undefined);
  return {
    id: event.id,
    timestamp: iso(event.timestamp),
    organization_id: ORGANIZATION_ID,
    customer_id: customer?.id ?? null,
    customer: customer ? customerJson(customer) : null,
    external_customer_id: event.externalCustomerId ?? customer?.externalId ?? null,
    member_id: null,
    external_member_id: null,
    child_count: 0,
    parent_id: null,
    label: event.name,
    name: event.name,
    source: 'user',
    metadata: event.metadata,
  };
}

export function customerMeterJson(state: PolarState, customer: CustomerRecord): WireCustomerMeter {
  const consumed = state.consumedUnits(customer);
  return {
    id: stableUuid(`polar-local:customer-meter:${customer.id}`),
    created_at: iso(customer.createdAt),
    modified_at: null,
    customer_id: customer.id,
    meter_id: state.meter.id,
    consumed_units: consumed,
    credited_units: 0,
    balance: -consumed,
    customer: customerJson(customer),
    meter: meterJson(state),
  };
}

function stateSubscriptionJson(state: PolarState, subscription: SubscriptionRecord): CustomerStateSubscription$Outbound {
  const { customer: _customer, product: _product, prices: _prices, discount: _discount, pending_update: _pending, ...rest } = subscriptionJson(state, subscription);
  return {
    id: rest.id,
    created_at: rest.created_at,
    modified_at: rest.modified_at,
    custom_field_data: {},
    metadata: rest.metadata,
    status: rest.status,
    amount: rest.amount,
    currency: rest.currency,
    recurring_interval: rest.recurring_interval,
    current_period_start: rest.current_period_start,
    current_period_end: rest.current_period_end,
    trial_start: null,
    trial_end: null,
    cancel_at_period_end: rest.cancel_at_period_end,
    canceled_at: rest.canceled_at,
    started_at: rest.started_at,
    ends_at: rest.ends_at,
    product_id: rest.product_id,
    discount_id: null,
    meters: rest.meters.map(({ meter: _meter, ...meter }) => meter),
  };
}

export function customerStateJson(state: PolarState, customer: CustomerRecord): CustomerStateIndividual$Outbound {
  const consumed = state.consumedUnits(customer);
  const active = state.subscriptionsOf(customer.id).filter((s) => s.status === 'active');
  return {
    ...customerJson(customer),
    active_subscriptions: active.map((s) => stateSubscriptionJson(state, s)),
    granted_benefits: [],
    active_meters: [
      {
        id: stableUuid(`polar-local:customer-meter:${customer.id}`),
        created_at: iso(customer.createdAt),
        modified_at: null,
        meter_id: state.meter.id,
        consumed_units: consumed,
        credited_units: 0,
        balance: -consumed,
      },
    ],
  };
}

export function checkoutJson(state: PolarState, checkout: CheckoutRecord, baseUrl: string): Checkout$Outbound {
  const product = state.products.get(checkout.productId) as ProductRecord;
  const prices = pricesJson(state, product);
  const amount = product.priceAmountCents;
  const checkoutProduct = { ...productBase(product), prices, benefits: [], medias: [] };
  const { metadata: _metadata, ...checkoutProductWithoutMetadata } = checkoutProduct;
  return {
    id: checkout.id,
    created_at: iso(checkout.createdAt),
    modified_at: isoOrNull(checkout.modifiedAt),
    custom_field_data: {},
    payment_processor: 'stripe',
    status: checkout.status,
    client_secret: checkout.clientSecret,
    url: checkoutUrl(baseUrl, checkout),
    expires_at: iso(checkout.expiresAt),
    success_url: checkout.successUrl ?? `${checkoutUrl(baseUrl, checkout)}/confirmation`,
    return_url: checkout.returnUrl,
    embed_origin: null,
    amount,
    seats: null,
    min_seats: null,
    max_seats: null,
    discount_amount: 0,
    net_amount: amount,
    tax_amount: null,
    tax_behavior: null,
    total_amount: amount,
    currency: 'usd',
    allow_trial: null,
    active_trial_interval: null,
    active_trial_interval_count: null,
    trial_end: null,
    organization_id: ORGANIZATION_ID,
    product_id: product.id,
    product_price_id: prices[0].id,
    discount_id: null,
    allow_discount_codes: false,
    require_billing_address: false,
    is_discount_applicable: false,
    is_free_product_price: amount === 0,
    is_payment_required: amount > 0,
    is_payment_setup_required: true,
    is_payment_form_required: true,
    customer_id: checkout.customerId,
    is_business_customer: false,
    customer_name: checkout.customerName,
    customer_email: checkout.customerEmail,
    customer_ip_address: null,
    customer_billing_name: null,
    customer_billing_address: null,
    customer_tax_id: null,
    locale: null,
    payment_processor_metadata: {},
    billing_address_fields: { country: 'required', state: 'disabled', city: 'disabled', postal_code: 'disabled', line1: 'disabled', line2: 'disabled' },
    trial_interval: null,
    trial_interval_count: null,
    metadata: checkout.metadata,
    external_customer_id: checkout.externalCustomerId,
    products: [checkoutProductWithoutMetadata],
    product: checkoutProductWithoutMetadata,
    product_price: prices[0],
    prices: { [product.id]: prices },
    discount: null,
    subscription_id: checkout.subscriptionId,
    attached_custom_fields: [],
    customer_metadata: {},
  };
}

export function checkoutUrl(baseUrl: string, checkout: CheckoutRecord): string {
  return `${baseUrl}/checkout/${checkout.clientSecret}`;
}

export interface WireCustomerSession {
  created_at: string;
  modified_at: string | null;
  id: string;
  token: string;
  expires_at: string;
  return_url: string | null;
  customer_portal_url: string;
  customer_id: string;
  customer: WireCustomer;
}

export function customerSessionJson(state: PolarState, session: CustomerSessionRecord, baseUrl: string): WireCustomerSession {
  return {
    created_at: iso(session.createdAt),
    modified_at: null,
    id: session.id,
    token: session.token,
    expires_at: iso(session.expiresAt),
    return_url: session.returnUrl,
    customer_portal_url: `${baseUrl}/portal/${session.token}`,
    customer_id: session.customerId,
    customer: customerJson(state.customers.get(session.customerId) as CustomerRecord),
  };
}
