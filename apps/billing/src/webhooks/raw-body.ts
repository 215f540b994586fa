import type { FastifyInstance } from 'fastify';
import { readLimitedBody } from '@nomosly/http';

/**
 * Every request body as the bytes received, whatever its content type: Polar's signature is over those bytes, and
 * it is checked before the body is read as JSON (a body that is not JSON is refused only when it is signed).
 */
export function installRawBodyParser(instance: unknown, limit: number): void {
  const fastify = instance as FastifyInstance;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => readLimitedBody(limit, payload, done, (body) => done(null, body)));
}
