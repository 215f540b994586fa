import 'reflect-metadata';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Benchmark (b): the same framework stack as the gateway (Nest on Fastify) answering the null engine's
 * result from a bare route: no auth, no body parsing beyond Fastify's, no queue.
 */
@Controller()
class BareController {
  @Post('v1/faces/detect')
  @HttpCode(200)
  detect() {
    return { requestId: 'bare', operation: 'faces.detect', units: 1, faces: [] };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

export async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const adapter = new FastifyAdapter({ bodyLimit: 16 * 1024 * 1024 });
  adapter.getInstance().addContentTypeParser(['image/jpeg', 'image/png'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, adapter, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: await app.getUrl(), close: () => app.close() };
}

if (require.main === module) {
  void startBareServer().then(({ url }) => console.log(`bare ${url}`));
}
