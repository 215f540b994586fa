import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Polar } from '@polar-sh/sdk';
import { WorkspaceService } from '@nomosly/accounts';
import { BillingCustomers, classifyPolarError, POLAR, PolarProducts } from '@nomosly/billing';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { Plans, spendCents } from '@nomosly/limits';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';
import type { BillingOverview } from './billing.dto';
import { BillingQueries, LIVE_SUBSCRIPTION_STATUSES } from './billing.queries';

/** Seconds a caller is told to wait when Polar did not say. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The billing page: the plan (which the billing app keeps in step with the subscription), the subscription and
 * invoices Polar reported, this period's units priced with the plan; and the way to Polar's checkout and customer
 * portal, where the paying happens (no card data ever reaches us).
 */
@Injectable()
export class BillingService {
  private readonly logger = new Logger(BillingService.name);

  constructor(
    private readonly queries: BillingQueries,
    private readonly workspaces: WorkspaceService,
    private readonly plans: Plans,
    private readonly products: PolarProducts,
    private readonly customers: BillingCustomers,
    @Inject(POLAR) private readonly polar: Polar,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async overview(workspaceId: string): Promise<BillingOverview> {
    const [workspace, subscription, invoices] = await Promise.all([
      this.workspaces.get(workspaceId),
      this.queries.currentSubscription(workspaceId),
      this.queries.invoices(workspaceId),
    ]);
    const live = subscription !== null && isLive(subscription.status);
    const since = live ? new Date(subscription.currentPeriodStart) : startOfUtcMonth(new Date());
    const units = await this.queries.unitsSince(workspaceId, since);
    return {
      plan: workspace.plan,
      subscription,
      currentPeriod: { units, estimatedCostCents: spendCents(units, this.plans.of(workspace.plan)) },
      invoices,
    };
  }

  /** A Polar checkout of `plan`'s product for the workspace's Polar customer; `plan` is one PolarProducts sells. */
  async checkout(workspaceId: string, plan: string): Promise<{ url: string }> {
    const productId = this.products.productFor(plan);
    if (productId === undefined) throw new PublicError(ErrorCode.InvalidRequest, `The body is not valid: plan: ${plan} cannot be bought.`);
    const subscription = await this.queries.currentSubscription(workspaceId);
    if (subscription !== null && isLive(subscription.status) && subscription.plan === plan) {
      throw new PublicError(
        ErrorCode.Conflict,
        `This workspace already has an ${subscription.status} subscription to ${plan}; manage it in the billing portal instead.`,
      );
    }
    return this.callPolar('checkout', async () => {
      await this.customers.ensure(workspaceId);
      const checkout = await this.polar.checkouts.create({
        products: [productId],
        externalCustomerId: workspaceId,
        successUrl: `${this.publicUrl()}/billing?checkout=done`,
      });
      return { url: checkout.url };
    });
  }

  /** A Polar customer portal session for the workspace's Polar customer, returning to the billing page. */
  async portal(workspaceId: string): Promise<{ url: string }> {
    return this.callPolar('portal', async () => {
      await this.customers.ensure(workspaceId);
      const session = await this.polar.customerSessions.create({ externalCustomerId: workspaceId, returnUrl: `${this.publicUrl()}/billing` });
      return { url: session.customerPortalUrl };
    });
  }

  /** Polar down, slow, limiting us or refusing: our outage (503 `unavailable`, Retry-After), logged, never a 500. */
  private async callPolar<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const failure = classifyPolarError(error);
      if (failure.kind === 'refused') this.logger.error(`billing ${action}: Polar refused the call: ${failure.message}`);
      else this.logger.warn(`billing ${action}: Polar unavailable: ${failure.message}`);
      const retryAfterMs = failure.kind === 'retry' ? failure.retryAfterMs : null;
      const retryAfter = retryAfterMs === null ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(retryAfterMs / 1000));
      throw new PublicError(ErrorCode.Unavailable, 'Billing cannot reach the payment provider right now; try again shortly.', {
        'retry-after': String(retryAfter),
      });
    }
  }

  private publicUrl(): string {
    return this.config.CONSOLE_PUBLIC_URL.replace(/\/+$/, '');
  }
}

function isLive(status: string): boolean {
  return (LIVE_SUBSCRIPTION_STATUSES as readonly string[]).includes(status);
}

function startOfUtcMonth(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}
