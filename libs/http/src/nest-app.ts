import type { DynamicModule, ExceptionFilter, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { type DestinationStream, type Logger, pino } from 'pino';
import { baseLoggerOptions } from '@nomosly/logging';
import { PublicErrorFilter } from './exception.filter';
import { createFastifyAdapter } from './fastify-app';
import { type SecurityHeadersOptions, registerSecurityHeaders } from './security-headers';

export interface NestAppOptions {
  /** The service name in every log line. */
  service: string;
  /** The app's root module, already given its config. */
  module: DynamicModule;
  log: { level: string; pretty: boolean; destination?: DestinationStream };
  bodyLimit: number;
  /** Peers whose `X-Forwarded-For` gives `request.ip`; nobody by default. */
  trustProxy?: false | number | string[];
  /** Hooks that must see every request, added to Fastify before Nest registers its routes (latency metrics, body parsers). */
  instrument?: (fastify: unknown) => void;
  /** Nest's own options beyond ours (`bodyParser: false` for an app with its own parsers). */
  nestOptions?: NestApplicationOptions;
  /** Wiring that needs the created app (hooks from its providers, Fastify plugins), done before it serves. */
  configure?: (app: NestFastifyApplication, fastify: unknown) => Promise<void> | void;
  /** API.md's error body by default; an app with its own filter passes it. */
  errorFilter?: (logger: Logger) => ExceptionFilter;
  /** What the app's own pages may reach beyond its origin (the web console: issuer and gateway). */
  securityHeaders?: SecurityHeadersOptions;
}

/**
 * One way an app becomes a Nest application on Fastify: our adapter, the pino logger, security headers,
 * API.md errors, shutdown hooks.
 */
export async function createNestApp(options: NestAppOptions): Promise<NestFastifyApplication> {
  const adapter = createFastifyAdapter({ bodyLimit: options.bodyLimit, trustProxy: options.trustProxy });
  const logger = pino(baseLoggerOptions({ service: options.service, level: options.log.level, pretty: options.log.pretty }), options.log.destination);
  options.instrument?.(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    ...options.nestOptions,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  await registerSecurityHeaders(app, options.securityHeaders);
  await options.configure?.(app, adapter.getInstance());
  app.useGlobalFilters((options.errorFilter ?? ((l: Logger) => new PublicErrorFilter(l)))(logger));
  app.enableShutdownHooks();
  return app;
}
