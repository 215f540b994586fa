import { FALLBACK_PLAN, type PlanTable } from '@nomosly/limits';
import type { ProductSeed } from './state';

/**
 * One product per paid plan of the plan table (every plan but `free`): no fixed price, and a metered price of the
 * plan's `centsPerThousandUnits` / 1000 cents per unit.
 */
export function seedsFromPlans(plans: Readonly<PlanTable>): ProductSeed[] {
  return Object.entries(plans)
    .filter(([plan]) => plan !== FALLBACK_PLAN)
    .map(([plan, { centsPerThousandUnits }]) => ({
      name: `Nomosly ${plan.charAt(0).toUpperCase()}${plan.slice(1)}`,
      plan,
      priceAmountCents: 0,
      meteredUnitAmountCents: String(centsPerThousandUnits / 1000),
    }));
}
