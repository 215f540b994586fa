import { type DynamicModule, type ExceptionFilter, Logger as NestLogger, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { type DestinationStream, type Logger, pino } from 'pino';
import { baseLoggerOptions } from '@nomosly/logging';
import { DependencyWatches, stopOnSignals } from '@nomosly/observability';
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
 * API.md errors. Its process stops on signals through stopNestAppOnSignals (main.ts), not Nest's own hooks.
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
  return app;
}

/**
 * SIGTERM or SIGINT closes the app (every Nest shutdown hook: workers, queues, connections, the HTTP server) and
 * exits 0, or 1 when closing failed or took longer than `timeoutMs`. Nest's enableShutdownHooks is not used: it
 * re-raises the signal once closed, so the exit code could not say whether the shutdown was clean, and nothing
 * bounds how long it waits. Unreachable Redis connections are dropped first (DependencyWatches.beginShutdown):
 * closing one politely would wait for its server for ever.
 */
export function stopNestAppOnSignals(app: NestFastifyApplication, { timeoutMs }: { timeoutMs: number }): () => void {
  const logger = new NestLogger('Shutdown');
  return stopOnSignals({
    timeoutMs,
    log: { log: (fields) => logger.log(fields), error: (fields) => logger.error(fields) },
    stop: async () => {
      watchesOf(app)?.beginShutdown();
      await app.close();
    },
  });
}

function watchesOf(app: NestFastifyApplication): DependencyWatches | null {
  try {
    return app.get(DependencyWatches, { strict: false });
  } catch {
    return null;
  }
}
