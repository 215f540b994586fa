import { z } from 'zod';
import type { PolarProducts } from '@nomosly/billing';

/** `POST .../billing/checkout`: a plan that a Polar product is sold as (never `free`, which has none). */
export function checkoutSchema(products: PolarProducts) {
  const sold = products.plans();
  const expected = sold.length ? `expected one of: ${sold.join(', ')}` : 'no plan can be bought here yet';
  return z.strictObject({
    plan: z.string({ message: `expected a plan name, ${expected}` }).refine((plan) => products.productFor(plan) !== undefined, { message: expected }),
  });
}

/** `GET /api/workspaces/:ws/billing`. */
export interface BillingOverview {
  plan: string;
  subscription: SubscriptionView | null;
  currentPeriod: { units: number; estimatedCostCents: number };
  invoices: InvoiceView[];
}

export interface SubscriptionView {
  id: string;
  status: string;
  plan: string;
  currentPeriodStart: string;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
}

export interface InvoiceView {
  /** The Polar order id. */
  id: string;
  number: string;
  createdAt: string;
  status: string;
  totalCents: number;
  currency: string;
}
