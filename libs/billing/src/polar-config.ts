import { z } from 'zod';
import { env } from '@nomosly/config';

/** Polar's production API; a deployment points the SDK elsewhere (the sandbox, or `tools/polar-local`) with POLAR_SERVER_URL. */
export const POLAR_PRODUCTION_URL = 'https://api.polar.sh';

/** The plan a workspace is on without a subscription, and the one no Polar product stands for. */
export const FREE_PLAN = 'free';

const PRODUCTS_SHAPE = '{"<plan>": "<Polar product id>"}, e.g. {"pro": "6a1b..."}';

/**
 * The variables every app that talks to Polar reads: the organisation access token, where the API is, how long a
 * call may take, and which Polar product stands for which paid plan.
 */
export const polarEnv = {
  POLAR_ACCESS_TOKEN: z.string({ message: 'expected the Polar organisation access token' }).min(1, 'expected the Polar organisation access token'),
  POLAR_SERVER_URL: env.url(['https', 'http'], POLAR_PRODUCTION_URL),
  /** One Polar call, at most; Polar's own webhook timeout is 10 s, and nothing of ours should wait longer. */
  POLAR_TIMEOUT_MS: env.positiveInt(10_000),
  POLAR_PRODUCTS: productsEnv(),
};

export interface PolarSettings {
  POLAR_ACCESS_TOKEN: string;
  POLAR_SERVER_URL: string;
  POLAR_TIMEOUT_MS: number;
  POLAR_PRODUCTS: PolarProductMap;
}

/** Plan name to Polar product id. */
export type PolarProductMap = Readonly<Record<string, string>>;

function productsEnv() {
  return z
    .string()
    .optional()
    .transform((text, context): PolarProductMap => {
      if (text === undefined || text.trim() === '') return {};
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        context.addIssue({ code: 'custom', message: `expected JSON: ${PRODUCTS_SHAPE}` });
        return z.NEVER;
      }
      const parsed = z.record(z.string().min(1), z.string().min(1)).safeParse(json);
      if (!parsed.success) {
        context.addIssue({ code: 'custom', message: `expected ${PRODUCTS_SHAPE}` });
        return z.NEVER;
      }
      if (Object.hasOwn(parsed.data, FREE_PLAN)) {
        context.addIssue({ code: 'custom', message: `"${FREE_PLAN}" is the plan without a subscription: no product stands for it` });
        return z.NEVER;
      }
      const ids = Object.values(parsed.data);
      if (new Set(ids).size !== ids.length) {
        context.addIssue({ code: 'custom', message: 'each plan needs a product of its own: a product id appears twice' });
        return z.NEVER;
      }
      return Object.freeze(parsed.data);
    });
}

/** Which product a plan is sold as, and which plan a product grants. */
export class PolarProducts {
  private readonly plansByProduct: ReadonlyMap<string, string>;

  constructor(private readonly byPlan: PolarProductMap) {
    this.plansByProduct = new Map(Object.entries(byPlan).map(([plan, product]) => [product, plan]));
  }

  productFor(plan: string): string | undefined {
    return Object.hasOwn(this.byPlan, plan) ? this.byPlan[plan] : undefined;
  }

  planFor(productId: string): string | undefined {
    return this.plansByProduct.get(productId);
  }

  /** The plans that can be bought. */
  plans(): string[] {
    return Object.keys(this.byPlan);
  }
}
