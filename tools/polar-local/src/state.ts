import { METER_ID, newId, productIdFor, stableUuid } from './ids';

export type MetadataValue = string | number | boolean;
export type Metadata = Record<string, MetadataValue>;

/** A product to offer: monthly, a fixed price when `priceAmountCents` > 0, and a metered price on the one meter. */
export interface ProductSeed {
  id?: string;
  name: string;
  plan: string;
  /** Fixed recurring price in cents; 0 (the default) means none. */
  priceAmountCents?: number;
  /** Cents per unit as a decimal string, e.g. "0.1". */
  meteredUnitAmountCents: string;
}

export interface ProductRecord {
  id: string;
  name: string;
  plan: string;
  priceAmountCents: number;
  meteredUnitAmountCents: string;
  fixedPriceId: string | null;
  meteredPriceId: string;
  createdAt: Date;
}

export interface MeterRecord {
  id: string;
  name: string;
  /** Events with this name count towards the meter. */
  eventName: string;
  /** The metadata key whose values are summed. */
  property: string;
  createdAt: Date;
}

export interface CustomerRecord {
  id: string;
  externalId: string | null;
  email: string;
  name: string | null;
  metadata: Metadata;
  createdAt: Date;
  modifiedAt: Date | null;
  deletedAt: Date | null;
}

export type SubscriptionStatus = 'active' | 'canceled';

export interface SubscriptionRecord {
  id: string;
  customerId: string;
  productId: string;
  checkoutId: string | null;
  status: SubscriptionStatus;
  amount: number;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  startedAt: Date;
  createdAt: Date;
  modifiedAt: Date | null;
  canceledAt: Date | null;
  endsAt: Date | null;
  endedAt: Date | null;
}

export interface OrderRecord {
  id: string;
  customerId: string;
  productId: string;
  subscriptionId: string | null;
  checkoutId: string | null;
  billingReason: 'subscription_create' | 'subscription_cycle';
  status: 'pending' | 'paid';
  subtotalAmount: number;
  invoiceNumber: string;
  isInvoiceGenerated: boolean;
  createdAt: Date;
  modifiedAt: Date | null;
}

export interface EventRecord {
  id: string;
  name: string;
  customerId: string | null;
  externalCustomerId: string | null;
  externalId: string | null;
  timestamp: Date;
  ingestedAt: Date;
  metadata: Metadata;
}

export interface CheckoutRecord {
  id: string;
  clientSecret: string;
  productId: string;
  externalCustomerId: string | null;
  customerEmail: string | null;
  customerName: string | null;
  successUrl: string | null;
  returnUrl: string | null;
  metadata: Metadata;
  status: 'open' | 'succeeded';
  customerId: string | null;
  subscriptionId: string | null;
  createdAt: Date;
  modifiedAt: Date | null;
  expiresAt: Date;
}

export interface CustomerSessionRecord {
  id: string;
  token: string;
  customerId: string;
  returnUrl: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** Everything the stand-in knows, in memory; tests may read it. */
export class PolarState {
  readonly products = new Map<string, ProductRecord>();
  readonly meter: MeterRecord;
  readonly customers = new Map<string, CustomerRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly orders = new Map<string, OrderRecord>();
  /** Every ingested event, in ingestion order. */
  readonly events: EventRecord[] = [];
  /** `external_id`s already ingested: Polar deduplicates on them forever. */
  readonly ingestedExternalIds = new Set<string>();
  /** By id. */
  readonly checkouts = new Map<string, CheckoutRecord>();
  /** By token. */
  readonly customerSessions = new Map<string, CustomerSessionRecord>();
  private invoiceCounter = 0;

  constructor(seeds: readonly ProductSeed[], now: Date = new Date()) {
    this.meter = { id: METER_ID, name: 'API units', eventName: 'api.call', property: 'units', createdAt: now };
    for (const seed of seeds) {
      const id = seed.id ?? productIdFor(seed.plan);
      const priceAmountCents = seed.priceAmountCents ?? 0;
      this.products.set(id, {
        id,
        name: seed.name,
        plan: seed.plan,
        priceAmountCents,
        meteredUnitAmountCents: seed.meteredUnitAmountCents,
        fixedPriceId: priceAmountCents > 0 ? stableUuid(`polar-local:price:fixed:${id}`) : null,
        meteredPriceId: stableUuid(`polar-local:price:metered:${id}`),
        createdAt: now,
      });
    }
  }

  /** A customer that is not deleted, by its external id. */
  customerByExternalId(externalId: string): CustomerRecord | undefined {
    for (const customer of this.customers.values()) {
      if (customer.externalId === externalId && customer.deletedAt === null) return customer;
    }
    return undefined;
  }

  customerByEmail(email: string): CustomerRecord | undefined {
    const wanted = email.toLowerCase();
    for (const customer of this.customers.values()) {
      if (customer.email.toLowerCase() === wanted && customer.deletedAt === null) return customer;
    }
    return undefined;
  }

  subscriptionsOf(customerId: string): SubscriptionRecord[] {
    return [...this.subscriptions.values()].filter((s) => s.customerId === customerId);
  }

  activeSubscriptionOf(customerId: string): SubscriptionRecord | undefined {
    return this.subscriptionsOf(customerId).find((s) => s.status === 'active');
  }

  eventsOf(customer: CustomerRecord): EventRecord[] {
    return this.events.filter((e) => e.customerId === customer.id || (customer.externalId !== null && e.externalCustomerId === customer.externalId));
  }

  /** The meter's units for a customer, counted by ingestion time as Polar bills: since its period began, or since it was created. */
  consumedUnits(customer: CustomerRecord): number {
    const since = this.activeSubscriptionOf(customer.id)?.currentPeriodStart ?? customer.createdAt;
    let total = 0;
    for (const event of this.eventsOf(customer)) {
      if (event.ingestedAt >= since) total += this.meterUnitsOf(event);
    }
    return total;
  }

  meterUnitsOf(event: EventRecord): number {
    if (event.name !== this.meter.eventName) return 0;
    const value = event.metadata[this.meter.property];
    return typeof value === 'number' ? value : 0;
  }

  nextInvoiceNumber(): string {
    this.invoiceCounter += 1;
    return `POLAR-LOCAL-${String(this.invoiceCounter).padStart(4, '0')}`;
  }

  createCustomer(input: { email: string; externalId: string | null; name: string | null; metadata: Metadata }, now: Date): CustomerRecord {
    const customer: CustomerRecord = { id: newId(), ...input, createdAt: now, modifiedAt: null, deletedAt: null };
    this.customers.set(customer.id, customer);
    return customer;
  }
}
