import { type DynamicModule, Global, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { polarProviders } from '@nomosly/billing';
import { ormConfig } from '@nomosly/db';
import { nestLoggerParams } from '@nomosly/logging';
import { DependencyWatches, OpsModule, READINESS_CHECKS, createDependencyWatches, postgresDriverOptions, postgresProbeProvider, type ReadinessCheck } from '@nomosly/observability';
import { ACCOUNTS_PROVIDERS } from './accounts.providers';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { OidcVerifier } from './auth/oidc-verifier';
import { WorkspaceMemberGuard } from './auth/workspace-member.guard';
import { BillingController } from './billing/billing.controller';
import { BillingQueries } from './billing/billing.queries';
import { BillingService } from './billing/billing.service';
import { CONSOLE_CONFIG, type ConsoleConfig } from './config';
import { EventsRedis } from './events/events-redis';
import { KeyEventsPublisher } from './events/key-events.publisher';
import { EXPORT_PROVIDERS, ExportController } from './export/export.controller';
import { InvitationsController } from './invitations/invitations.controller';
import { KeysController } from './keys/keys.controller';
import { KeysService } from './keys/keys.service';
import { LimitsController } from './limits/limits.controller';
import { LimitsService } from './limits/limits.service';
import { DeletionController } from './me/deletion.controller';
import { DeletionQueue } from './me/deletion.queue';
import { DeletionService } from './me/deletion.service';
import { MeController } from './me/me.controller';
import { RestrictionController } from './me/restriction.controller';
import { ProcessingRestriction } from './me/restriction.service';
import { MembersController } from './members/members.controller';
import { MembersService } from './members/members.service';
import { ConsoleMetrics } from './metrics';
import { ConsoleDocsController } from './openapi/console-docs.controller';
import { PrivacyController } from './privacy/privacy.controller';
import { RequestsController } from './requests/requests.controller';
import { RequestsQueries } from './requests/requests.queries';
import { RequestsService } from './requests/requests.service';
import { UsageController } from './usage/usage.controller';
import { UsageQueries } from './usage/usage.queries';
import { UsageService } from './usage/usage.service';
import { ClientConfigController } from './web/client-config.controller';
import { WebAssets } from './web/web-assets';
import { WebController } from './web/web.controller';

/** Config, the accounts services and the events publisher: one instance each, visible to every module. */
@Global()
@Module({})
class ConsoleCoreModule {
  static register(config: ConsoleConfig, metrics: ConsoleMetrics, watches: DependencyWatches): DynamicModule {
    const providers = [
      { provide: CONSOLE_CONFIG, useValue: config },
      { provide: ConsoleMetrics, useValue: metrics },
      { provide: DependencyWatches, useValue: watches },
      postgresProbeProvider({ url: config.DATABASE_URL, intervalMs: config.DEPENDENCY_PROBE_MS, entityManager: EntityManager }),
      EventsRedis,
      KeyEventsPublisher,
      ...ACCOUNTS_PROVIDERS,
    ];
    return { module: ConsoleCoreModule, providers, exports: providers };
  }
}

@Module({})
export class ConsoleModule {
  static register(config: ConsoleConfig, metrics: ConsoleMetrics, logDestination?: DestinationStream): DynamicModule {
    const watches = createDependencyWatches(metrics.registry, { reminderMs: config.OUTAGE_REMINDER_MS });
    return {
      module: ConsoleModule,
      imports: [
        LoggerModule.forRoot(nestLoggerParams({ service: 'console', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY }, logDestination)),
        MikroOrmModule.forRoot({ ...ormConfig({ url: config.DATABASE_URL }), registerRequestContext: false, driverOptions: postgresDriverOptions() }),
        ConsoleCoreModule.register(config, metrics, watches),
        OpsModule.register({
          registry: metrics.registry,
          readiness: {
            provide: READINESS_CHECKS,
            inject: [EntityManager, EventsRedis],
            useFactory: (em: EntityManager, events: EventsRedis): ReadinessCheck[] => [
              // The schema, not only the server: a database without migrations cannot serve a single call.
              watches.readiness('postgres', async () => void (await em.getConnection().execute('select 1 from memberships limit 0'))),
              watches.readiness('events-redis', () => events.ping()),
            ],
          },
        }),
      ],
      controllers: [MeController, DeletionController, InvitationsController, KeysController, LimitsController, MembersController, UsageController, RequestsController, RestrictionController, PrivacyController, BillingController, ExportController, ClientConfigController, ConsoleDocsController, WebController],
      providers: [
        OidcVerifier,
        BearerAuthGuard,
        WorkspaceMemberGuard,
        KeysService,
        LimitsService,
        MembersService,
        UsageQueries,
        UsageService,
        RequestsQueries,
        RequestsService,
        ProcessingRestriction,
        ...polarProviders(CONSOLE_CONFIG),
        BillingQueries,
        BillingService,
        DeletionQueue,
        DeletionService,
        ...EXPORT_PROVIDERS,
        { provide: WebAssets, useFactory: () => new WebAssets(config.CONSOLE_WEB_DIR) },
      ],
    };
  }
}
