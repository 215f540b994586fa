import type { Provider } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Polar } from '@polar-sh/sdk';
import { BillingCustomers } from './billing-customers';
import { createPolarClient } from './polar-client';
import { type PolarSettings, PolarProducts } from './polar-config';

/** The Polar SDK client, under a token of its own (the SDK's class is no Nest provider). */
export const POLAR = Symbol('POLAR');

/**
 * Polar as an app uses it: the client, which product sells which plan, and one Polar customer per workspace.
 * `settings` is the token of the app's config, which carries the POLAR_* variables (`polarEnv`).
 */
export function polarProviders(settings: symbol): Provider[] {
  return [
    { provide: POLAR, inject: [settings], useFactory: (config: PolarSettings): Polar => createPolarClient(config) },
    { provide: PolarProducts, inject: [settings], useFactory: (config: PolarSettings) => new PolarProducts(config.POLAR_PRODUCTS) },
    { provide: BillingCustomers, inject: [EntityManager, POLAR], useFactory: (em: EntityManager, polar: Polar) => new BillingCustomers(em, polar) },
  ];
}
