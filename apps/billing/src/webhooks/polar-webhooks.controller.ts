import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PolarWebhooksService } from './polar-webhooks.service';
import type { WebhookHeaders } from './webhook-signature';

/** `POST /webhooks/polar`: Polar's webhooks, 202 once taken (applied, ignored, or already taken before). */
@Controller('webhooks')
export class PolarWebhooksController {
  constructor(private readonly webhooks: PolarWebhooksService) {}

  @Post('polar')
  @HttpCode(202)
  async receive(@Req() request: FastifyRequest): Promise<void> {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    await this.webhooks.receive(body, {
      'webhook-id': header(request, 'webhook-id'),
      'webhook-timestamp': header(request, 'webhook-timestamp'),
      'webhook-signature': header(request, 'webhook-signature'),
    } satisfies WebhookHeaders);
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(' ') : value;
}
