import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import multipart from '@fastify/multipart';
import type { DestinationStream } from 'pino';
import { IMAGE_LIMITS, OPERATIONS, OPERATION_SPECS } from '@nomosly/contracts';
import { createNestApp, installBodyParsers } from '@nomosly/http';
import { observeHttpLatency } from '@nomosly/observability';
import { GatewayModule } from './app.module';
import { ApiKeyAuth } from './auth/api-key-auth';
import type { GatewayConfig } from './config';
import { installCors } from './cors/cors';
import { corsOriginsOf } from './cors/cors-origins';
import { EventsQueue } from './events/events-queue';
import { RequestEvents } from './events/request-events';
import { mountQueueBoard } from './ops/queue-board';
import { VisionQueue } from './vision/vision-queue.service';
import { GatewayMetrics } from './metrics';
import { RAW_IMAGE_TYPES } from './vision/image-input';
import { installUploadPace } from './uploads/upload-pace';

/** Base64 inflates by 4/3; a compare call carries two images, plus a little JSON around them. */
const JSON_BODY_LIMIT = Math.ceil((IMAGE_LIMITS.maxBytes * 4) / 3) * 2 + 64 * 1024;

export async function createGateway(config: GatewayConfig, logDestination?: DestinationStream): Promise<NestFastifyApplication> {
  const metrics = new GatewayMetrics();
  return createNestApp({
    service: 'gateway',
    module: GatewayModule.register(config, metrics, logDestination),
    log: { level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, destination: logDestination },
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    instrument: (fastify) => {
      installBodyParsers(fastify, { raw: { types: RAW_IMAGE_TYPES, limit: IMAGE_LIMITS.maxBytes }, jsonLimit: JSON_BODY_LIMIT });
      observeHttpLatency(fastify, metrics.httpDuration);
      // Before the key check (configure): refused calls carry the grant too, so a page can read their message.
      installCors(fastify, { origins: corsOriginsOf(config), paths: OPERATIONS.map((op) => OPERATION_SPECS[op].path) });
    },
    // Our own body parsers (installBodyParsers) read JSON and images with limits that answer 413 cleanly.
    nestOptions: { bodyParser: false },
    configure: async (app, fastify) => {
      // First: a request refused by a later hook (401, 429) is logged too.
      app.get(RequestEvents).install(fastify);
      installUploadPace(fastify, { minBytesPerSecond: config.UPLOAD_MIN_BYTES_PER_SECOND, timeoutMs: config.UPLOAD_TIMEOUT_MS });
      app.get(ApiKeyAuth).install(fastify);
      await app.register(multipart as unknown as Parameters<typeof app.register>[0], {
        limits: { fileSize: IMAGE_LIMITS.maxBytes, files: 2, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 100 },
      });
      if (config.OPS_PASSWORD) {
        await mountQueueBoard(app, [app.get(VisionQueue).queue, app.get(EventsQueue).queue], {
          username: config.OPS_USERNAME,
          password: config.OPS_PASSWORD,
        });
      }
    },
  });
}
