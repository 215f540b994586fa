import { Controller, Get, Inject } from '@nestjs/common';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../config';
import type { ClientConfig } from './client-config.dto';

/**
 * `GET /api/client-config`, without authentication: what the web console needs before anyone signs in (the
 * identity provider, its own public client id, the API audience, the gateway the playground calls). Nothing
 * here is secret: it is what the sign-in redirect shows in the address bar anyway.
 */
@Controller('api/client-config')
export class ClientConfigController {
  private readonly clientConfig: ClientConfig;

  constructor(@Inject(CONSOLE_CONFIG) config: ConsoleConfig) {
    this.clientConfig = {
      issuer: config.OIDC_ISSUER,
      clientId: config.CONSOLE_OIDC_CLIENT_ID,
      audience: config.OIDC_AUDIENCE,
      scope: 'openid profile email',
      gatewayUrl: config.CONSOLE_GATEWAY_URL,
    };
  }

  @Get()
  get(): ClientConfig {
    return this.clientConfig;
  }
}
