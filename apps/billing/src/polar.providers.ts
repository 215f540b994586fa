import type { Provider } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Polar } from '@polar-sh/sdk';
import { BillingCustomers, PolarProducts, createPolarClient } from '@nomosly/billing';
import { Plans } from '@nomosly/limits';
import { BILLING_CONFIG, type BillingConfig } from './config';

/** The Polar SDK client, under a token of its own (the SDK's class is no Nest provider). */
export const POLAR = Symbol('POLAR');

export const polarProviders: Provider[] = [
  { provide: POLAR, inject: [BILLING_CONFIG], useFactory: (config: BillingConfig): Polar => createPolarClient(config) },
  { provide: PolarProducts, inject: [BILLING_CONFIG], useFactory: (config: BillingConfig) => new PolarProducts(config.POLAR_PRODUCTS) },
  {
    provide: Plans,
    inject: [BILLING_CONFIG],
    useFactory: (config: BillingConfig) => {
      const logger = new Logger(Plans.name);
      return new Plans(config.PLANS, (message) => logger.warn(message));
    },
  },
  { provide: BillingCustomers, inject: [EntityManager, POLAR], useFactory: (em: EntityManager, polar: Polar) => new BillingCustomers(em, polar) },
];
