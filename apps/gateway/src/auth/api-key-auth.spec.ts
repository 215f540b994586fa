import Fastify, { type FastifyRequest } from 'fastify';
import { generateApiKey } from '@nomosly/api-keys';
import { ErrorCode, OPERATIONS, OPERATION_SPECS, type Operation } from '@nomosly/contracts';
import { ApiKeyAuth, admittedCallOf, recognisedKeyOf } from './api-key-auth';

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

describe('ApiKeyAuth: a restricted workspace', () => {
  it("refuses its key with 403 restricted before the limits are asked (no units taken, no call admitted)", async () => {
    const { secret } = generateApiKey();
    const key = { keyId: 'k', workspaceId: 'w', scopes: [...OPERATIONS.map((op) => OPERATION_SPECS[op].scope)], revokedAt: null, expiresAt: null, restricted: true };
    const limits = { admit: jest.fn() };
    const auth = new ApiKeyAuth({ resolve: async () => key } as never, limits as never, {} as never);
    const request = { headers: { authorization: `Bearer ${secret}` }, ip: '127.0.0.1', raw: {} } as unknown as FastifyRequest;
    const reply = { headers: jest.fn() };

    await expect(auth.admit(request, reply as never, OPERATIONS[0])).rejects.toMatchObject({ code: ErrorCode.Restricted });
    expect(limits.admit).not.toHaveBeenCalled();
    expect(reply.headers).not.toHaveBeenCalled();
    expect(admittedCallOf(request)).toBeNull();
    // Recognised: the request log may show it under its workspace.
    expect(recognisedKeyOf(request)).toBe(key);
  });
});
