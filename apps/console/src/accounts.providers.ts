import { Logger, type Provider } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  ApiKeyService,
  IdentityService,
  InvitationService,
  MemberService,
  ProfileService,
  RestrictionService,
  WorkspaceAccessService,
  WorkspaceService,
} from '@nomosly/accounts';
import { Plans } from '@nomosly/limits';
import { CONSOLE_CONFIG, type ConsoleConfig } from './config';

/** The accounts lib's services, each over the application's EntityManager (they fork it per call). */
export const ACCOUNTS_PROVIDERS: Provider[] = [
  ...[IdentityService, InvitationService, MemberService, ProfileService, RestrictionService, WorkspaceAccessService, WorkspaceService].map((service) => ({
    provide: service,
    inject: [EntityManager],
    useFactory: (em: EntityManager) => new service(em),
  })),
  {
    // One Plans for the console, from the same PLANS the gateways enforce: keys are capped by its maxActiveKeys,
    // and the limits page shows its numbers.
    provide: Plans,
    inject: [CONSOLE_CONFIG],
    useFactory: (config: ConsoleConfig) => {
      const logger = new Logger(Plans.name);
      return new Plans(config.PLANS, (message) => logger.warn(message));
    },
  },
  {
    provide: ApiKeyService,
    inject: [EntityManager, Plans],
    useFactory: (em: EntityManager, plans: Plans) => new ApiKeyService(em, undefined, plans),
  },
];
