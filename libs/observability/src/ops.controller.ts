import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';
import { READINESS_CHECKS, type ReadinessCheck, runReadinessChecks } from './readiness';

/** `GET /healthz` (alive), `GET /readyz` (dependencies reachable), `GET /metrics` (Prometheus text). */
@Controller()
export class OpsController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    private readonly registry: Registry,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await runReadinessChecks(this.checks);
    reply.status(report.status === 'ok' ? 200 : 503);
    if (report.status !== 'ok') reply.header('retry-after', '5');
    return report;
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
