import { Logger, type Provider } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  ApiKeyService,
  IdentityService,
  InvitationService,
  MemberService,
  ProfileService,
  WorkspaceAccessService,
  WorkspaceService,
} from '@nomosly/accounts';
import { Plans } from '@nomosly/limits';
import { CONSOLE_CONFIG, type ConsoleConfig } from './config';

/** The accounts lib's services, each over the application's EntityManager (they fork it per call). */
export const ACCOUNTS_PROVIDERS: Provider[] = [
  ...[IdentityService, InvitationService, MemberService, ProfileService, WorkspaceAccessService, WorkspaceService].map((service) => ({
    provide: service,
    inject: [EntityManager],
    useFactory: (em: EntityManager) => new service(em),
  })),
  {
    // Keys are capped per workspace by its plan's maxActiveKeys, from the same PLANS the gateways enforce.
    provide: ApiKeyService,
    inject: [EntityManager, CONSOLE_CONFIG],
    useFactory: (em: EntityManager, config: ConsoleConfig) => {
      const logger = new Logger(ApiKeyService.name);
      return new ApiKeyService(em, undefined, new Plans(config.PLANS, (message) => logger.warn(message)));
    },
  },
];
