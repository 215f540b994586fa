import { randomBytes, randomUUID } from 'node:crypto';
import type { CustomerIndividual$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/customerindividual';
import type { Order$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/order';
import type { Subscription$Outbound } from '@polar-sh/sdk/dist/commonjs/models/components/subscription';
import { Webhook } from 'standardwebhooks';

/**
 * Polar webhook payloads as Polar sends them (snake_case, ISO datetimes with Z), typed by the SDK's own wire types
 * so that they pass its webhook schemas, and signed as Polar signs them.
 */

export const ORGANIZATION_ID = '0c4e2a8e-8f55-4b0e-9c7c-6b0c2f3b9a11';

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? iso(date) : null);

export function customerJson(facts: { id: string; externalId: string | null; email?: string; createdAt?: Date }): CustomerIndividual$Outbound {
  return {
    id: facts.id,
    created_at: iso(facts.createdAt ?? new Date()),
    modified_at: null,
    metadata: {},
    external_id: facts.externalId,
    email: facts.email ?? `customer-${facts.id.slice(0, 8)}@example.com`,
    email_verified: true,
    type: 'individual',
    name: null,
    billing_name: null,
    billing_address: null,
    tax_id: null,
    organization_id: ORGANIZATION_ID,
    deleted_at: null,
    avatar_url: null,
  };
}

function productJson(productId: string, createdAt: Date): Subscription$Outbound['product'] {
  return {
    id: productId,
    created_at: iso(createdAt),
    modified_at: null,
    trial_interval: null,
    trial_interval_count: null,
    name: 'Pro',
    description: null,
    visibility: 'public',
    recurring_interval: 'month',
    recurring_interval_count: 1,
    meter_interval: null,
    meter_interval_count: null,
    is_recurring: true,
    is_archived: false,
    organization_id: ORGANIZATION_ID,
    metadata: {},
    prices: [],
    benefits: [],
    medias: [],
    attached_custom_fields: [],
  };
}

export interface SubscriptionFacts {
  id?: string;
  /** The workspace id: the customer's external_id. */
  externalId: string | null;
  customerId?: string;
  productId: string;
  status?: string;
  createdAt?: Date;
  /** Polar's version of the subscription; now by default. */
  modifiedAt?: Date | null;
  cancelAtPeriodEnd?: boolean;
  endedAt?: Date | null;
  email?: string;
}

export function subscriptionJson(facts: SubscriptionFacts): Subscription$Outbound {
  const createdAt = facts.createdAt ?? new Date(Date.now() - 60_000);
  const customerId = facts.customerId ?? randomUUID();
  return {
    created_at: iso(createdAt),
    modified_at: facts.modifiedAt === undefined ? iso(new Date()) : isoOrNull(facts.modifiedAt),
    id: facts.id ?? randomUUID(),
    amount: 2900,
    currency: 'usd',
    recurring_interval: 'month',
    recurring_interval_count: 1,
    status: facts.status ?? 'active',
    current_period_start: iso(createdAt),
    current_period_end: iso(new Date(createdAt.getTime() + 30 * 86_400_000)),
    current_meter_period_start: null,
    current_meter_period_end: null,
    trial_start: null,
    trial_end: null,
    cancel_at_period_end: facts.cancelAtPeriodEnd ?? false,
    canceled_at: null,
    started_at: iso(createdAt),
    ends_at: null,
    ended_at: isoOrNull(facts.endedAt ?? null),
    pause_at_period_end: false,
    paused_at: null,
    resumes_at: null,
    customer_id: customerId,
    product_id: facts.productId,
    discount_id: null,
    checkout_id: null,
    customer_cancellation_reason: null,
    customer_cancellation_comment: null,
    metadata: {},
    customer: customerJson({ id: customerId, externalId: facts.externalId, email: facts.email, createdAt }),
    product: productJson(facts.productId, createdAt),
    discount: null,
    prices: [],
    meters: [],
    pending_update: null,
  };
}

export interface OrderFacts {
  id?: string;
  externalId: string | null;
  customerId?: string;
  productId: string;
  subscriptionId?: string | null;
  invoiceNumber?: string;
  status?: string;
  totalCents?: number;
  createdAt?: Date;
  modifiedAt?: Date | null;
}

export function orderJson(facts: OrderFacts): Order$Outbound {
  const createdAt = facts.createdAt ?? new Date(Date.now() - 60_000);
  const customerId = facts.customerId ?? randomUUID();
  const total = facts.totalCents ?? 2900;
  const status = facts.status ?? 'paid';
  return {
    id: facts.id ?? randomUUID(),
    created_at: iso(createdAt),
    modified_at: facts.modifiedAt === undefined ? iso(new Date()) : isoOrNull(facts.modifiedAt),
    status,
    paid: status === 'paid',
    subtotal_amount: total,
    discount_amount: 0,
    net_amount: total,
    tax_amount: 0,
    total_amount: total,
    applied_balance_amount: 0,
    due_amount: 0,
    refunded_amount: 0,
    refunded_tax_amount: 0,
    currency: 'usd',
    billing_reason: 'subscription_create',
    billing_name: null,
    billing_address: null,
    invoice_number: facts.invoiceNumber ?? `NOMO-${randomBytes(3).toString('hex').toUpperCase()}-0001`,
    is_invoice_generated: false,
    receipt_number: null,
    customer_id: customerId,
    product_id: facts.productId,
    discount_id: null,
    subscription_id: facts.subscriptionId ?? null,
    checkout_id: null,
    metadata: {},
    platform_fee_amount: 0,
    platform_fee_currency: null,
    customer: customerJson({ id: customerId, externalId: facts.externalId, createdAt }),
    product: null,
    discount: null,
    subscription: null,
    items: [],
    description: 'Pro',
    refundable_amount: total,
    refundable_tax_amount: 0,
  };
}

/** A webhook body as Polar sends it: `{ type, timestamp, data }`. */
export function webhookBody(type: string, data: unknown): string {
  return JSON.stringify({ type, timestamp: new Date().toISOString(), data });
}

/** Polar's two secret formats: `standard` base64-decodes the part after `whsec_`; `legacy` (before 2026-09-08) uses the whole string's UTF-8 bytes. */
export type SecretFormat = 'standard' | 'legacy';

/**
 * A fresh secret of Polar's shape (`whsec_` and base64). Both formats look alike: what differs is how the key is
 * read from them, so a signature made one way verifies only under that reading.
 */
export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The Standard Webhooks headers Polar sends with this body. */
export function signedHeaders(
  secret: string,
  format: SecretFormat,
  body: string,
  { id = `msg_${randomBytes(12).toString('hex')}`, at = new Date() }: { id?: string; at?: Date } = {},
): Record<string, string> {
  const webhook = format === 'standard' ? new Webhook(secret) : new Webhook(Buffer.from(secret, 'utf8').toString('base64'));
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, at, body),
  };
}
