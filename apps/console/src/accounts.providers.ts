import type { Provider } from '@nestjs/common';
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

/** The accounts lib's services, each over the application's EntityManager (they fork it per call). */
export const ACCOUNTS_PROVIDERS: Provider[] = [
  ApiKeyService,
  IdentityService,
  InvitationService,
  MemberService,
  ProfileService,
  WorkspaceAccessService,
  WorkspaceService,
].map(
  (service) => ({ provide: service, inject: [EntityManager], useFactory: (em: EntityManager) => new service(em) }),
);
