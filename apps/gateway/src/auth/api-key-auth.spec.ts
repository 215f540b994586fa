import Fastify from 'fastify';
import { OPERATIONS, OPERATION_SPECS, type Operation } from '@nomosly/contracts';
import { ApiKeyAuth } from './api-key-auth';

/** A Fastify instance with the auth installed and a POST route at the API.md path of each operation given. */
function gatewayWithRoutes(operations: readonly Operation[]) {
  const fastify = Fastify({ logger: false });
  // Start-up touches none of the auth's collaborators: only a request would.
  new ApiKeyAuth({} as never, {} as never, {} as never).install(fastify);
  for (const operation of operations) fastify.post(OPERATION_SPECS[operation].path, async () => ({}));
  return fastify;
}

describe('ApiKeyAuth at start-up', () => {
  it('starts when every operation has a route at its API.md path', async () => {
    const fastify = gatewayWithRoutes(OPERATIONS);
    await expect(fastify.ready()).resolves.toBeDefined();
    await fastify.close();
  });

  it('refuses to start when an operation has no route at its API.md path (its calls would never be authenticated)', async () => {
    const [missing, ...routed] = OPERATIONS;
    const fastify = gatewayWithRoutes(routed);
    // The same operation at a path spelt otherwise is no route of its own.
    fastify.post(`${OPERATION_SPECS[missing].path}/`, async () => ({}));
    await expect(fastify.ready()).rejects.toThrow(`operations without a route at their API.md path: ${missing}`);
    await fastify.close().catch(() => undefined);
  });
});
