import { z } from 'zod';
import type { PolarProducts } from '@nomosly/billing';
import { isoDateTimeString } from '../openapi/sent-as-iso-string';

/** `POST .../billing/checkout` as the document shows it: which plans are sold depends on the configured products. */
export const checkoutBodySchema = z.strictObject({
  plan: z.string().meta({ description: 'A plan that a Polar product is sold as (never free).', examples: ['pro'] }),
});

/** `POST .../billing/checkout`: a plan that a Polar product is sold as (never `free`, which has none). */
export function checkoutSchema(products: PolarProducts) {
  const sold = products.plans();
  const expected = sold.length ? `expected one of: ${sold.join(', ')}` : 'no plan can be bought here yet';
  return checkoutBodySchema.extend({
    plan: z.string({ message: `expected a plan name, ${expected}` }).refine((plan) => products.productFor(plan) !== undefined, { message: expected }),
  });
}

export const subscriptionSchema = z.object({
  id: z.string(),
  status: z.string(),
  plan: z.string(),
  currentPeriodStart: isoDateTimeString(),
  currentPeriodEnd: isoDateTimeString().nullable(),
  cancelAtPeriodEnd: z.boolean(),
});
export type SubscriptionView = z.infer<typeof subscriptionSchema>;

export const invoiceSchema = z.object({
  id: z.string().meta({ description: 'The Polar order id.' }),
  number: z.string(),
  createdAt: isoDateTimeString(),
  status: z.string(),
  totalCents: z.number().int(),
  currency: z.string(),
});
export type InvoiceView = z.infer<typeof invoiceSchema>;

/** `GET /api/workspaces/:ws/billing`. */
export const billingOverviewSchema = z.object({
  plan: z.string(),
  subscription: subscriptionSchema.nullable(),
  currentPeriod: z.object({ units: z.number().int(), estimatedCostCents: z.number().int() }),
  invoices: z.array(invoiceSchema),
});
export type BillingOverview = z.infer<typeof billingOverviewSchema>;

/** Where to send the owner: Polar's checkout for a plan, or Polar's customer portal. */
export const redirectUrlSchema = z.object({ url: z.string().meta({ format: 'uri' }) });
export type RedirectUrl = z.infer<typeof redirectUrlSchema>;
