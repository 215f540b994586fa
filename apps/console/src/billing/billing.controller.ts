import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { PolarProducts } from '@nomosly/billing';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { OwnerOnly, WorkspaceMemberGuard } from '../auth/workspace-member.guard';
import { parseBody } from '../http/parse-body';
import { type BillingOverview, type RedirectUrl, checkoutSchema } from './billing.dto';
import { BillingService } from './billing.service';

/** `/api/workspaces/:ws/billing`: members read it; only an owner goes to Polar's checkout or customer portal. */
@Controller('api/workspaces/:ws/billing')
@UseGuards(BearerAuthGuard, WorkspaceMemberGuard)
export class BillingController {
  private readonly checkoutBody: ReturnType<typeof checkoutSchema>;

  constructor(
    private readonly billing: BillingService,
    products: PolarProducts,
  ) {
    this.checkoutBody = checkoutSchema(products);
  }

  @Get()
  get(@Param('ws') workspaceId: string): Promise<BillingOverview> {
    return this.billing.overview(workspaceId);
  }

  @Post('checkout')
  @OwnerOnly()
  checkout(@Param('ws') workspaceId: string, @Body() body: unknown): Promise<RedirectUrl> {
    return this.billing.checkout(workspaceId, parseBody(this.checkoutBody, body).plan);
  }

  @Post('portal')
  @OwnerOnly()
  portal(@Param('ws') workspaceId: string): Promise<RedirectUrl> {
    return this.billing.portal(workspaceId);
  }
}
