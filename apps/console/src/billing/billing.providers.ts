import type { Provider } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Polar } from '@polar-sh/sdk';
import { BillingCustomers, PolarProducts, createPolarClient } from '@nomosly/billing';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';

/** The Polar SDK client, under a token of its own (the SDK's class is no Nest provider). */
export const POLAR = Symbol('POLAR');

/** Polar as the billing page uses it: the client, which product sells which plan, and one Polar customer per workspace. */
export const billingProviders: Provider[] = [
  { provide: POLAR, inject: [CONSOLE_CONFIG], useFactory: (config: ConsoleConfig): Polar => createPolarClient(config) },
  { provide: PolarProducts, inject: [CONSOLE_CONFIG], useFactory: (config: ConsoleConfig) => new PolarProducts(config.POLAR_PRODUCTS) },
  { provide: BillingCustomers, inject: [EntityManager, POLAR], useFactory: (em: EntityManager, polar: Polar) => new BillingCustomers(em, polar) },
];
