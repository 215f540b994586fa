import type { LoggableRequest } from '@nomosly/logging';
import { createFastifyAdapter } from './fastify-app';

/** What the adapter left on the raw request for the request log, as a route (or the 404 handler) saw it. */
const seenFields = (request: { raw: unknown }) => {
  const raw = request.raw as LoggableRequest;
  return { routedPath: raw.routedPath, clientIp: raw.clientIp };
};

describe('createFastifyAdapter: what the request log reads off the raw request (P2)', () => {
  const adapter = createFastifyAdapter({ bodyLimit: 1024, trustProxy: ['127.0.0.1'] });
  const fastify = adapter.getInstance();
  fastify.get('/v1/things/:name', async (request) => seenFields(request));
  fastify.setNotFoundHandler(async (request, reply) => reply.status(404).send(seenFields(request)));
  beforeAll(() => fastify.ready());
  afterAll(() => fastify.close());

  it('P2: the routed path, whatever the spelling, and the address TRUST_PROXY has Fastify believe', async () => {
    const answer = await fastify.inject({
      method: 'GET',
      url: '/v1/things/b%6Fx?secret=query-value',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(answer.json()).toEqual({ routedPath: '/v1/things/box', clientIp: '203.0.113.7' });
  });

  it('P2: a request no route matched keeps its own path, without its query', async () => {
    const answer = await fastify.inject({ method: 'GET', url: '/nowhere?secret=query-value', remoteAddress: '198.51.100.1' });
    expect(answer.json()).toEqual({ routedPath: '/nowhere', clientIp: '198.51.100.1' });
  });
});
