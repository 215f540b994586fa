import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { GatewayUnreachable, callGateway, refusalOf, whenToRetry } from './gateway-call';

const answer = (status: number, body: unknown, retryAfterSeconds?: number) => ({ status, body, requestId: 'r-1', elapsedMs: 5, retryAfterSeconds });

describe('a playground call to the gateway', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
  });

  it('posts the images as multipart fields with the key as bearer, and no cookie', async () => {
    const sent: Array<{ url: string; init: RequestInit }> = [];
    global.fetch = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
      sent.push({ url: String(url), init: init ?? {} });
      return new Response(JSON.stringify({ operation: 'faces.compare' }), { status: 200, headers: { 'x-request-id': 'abc' } });
    }) as typeof fetch;
    const source = new File([new Uint8Array([1])], 'a.jpg', { type: 'image/jpeg' });
    const target = new File([new Uint8Array([2])], 'b.png', { type: 'image/png' });
    const result = await callGateway({ gatewayUrl: 'http://127.0.0.1:3000/', operation: 'faces.compare', apiKey: 'nk_live_x', images: [source, target] });
    expect(result).toMatchObject({ status: 200, body: { operation: 'faces.compare' }, requestId: 'abc' });
    expect(sent).toHaveLength(1);
    const [{ url, init }] = sent;
    expect(url).toBe('http://127.0.0.1:3000/v1/faces/compare');
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit', headers: { authorization: 'Bearer nk_live_x' } });
    const form = init.body as FormData;
    expect([...form.keys()]).toEqual(['source', 'target']);
    expect((form.get('target') as File).name).toBe('b.png');
  });

  it('reads Retry-After, and says where the gateway was when there is no answer at all', async () => {
    global.fetch = jest.fn(async () => new Response('{"error":{"code":"rate_limited","message":"Slow down.","requestId":"q"}}', { status: 429, headers: { 'retry-after': '3' } })) as typeof fetch;
    const refused = await callGateway({ gatewayUrl: 'http://127.0.0.1:3000', operation: 'text.detect', apiKey: 'k', images: [new File([], 'x.png')] });
    expect(refused.retryAfterSeconds).toBe(3);
    expect(refusalOf(refused)).toEqual({ status: 429, code: 'rate_limited', message: 'Slow down. Try again in 3 s.', requestId: 'q' });

    global.fetch = jest.fn(async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const unreachable = callGateway({ gatewayUrl: 'http://127.0.0.1:3000/', operation: 'text.detect', apiKey: 'k', images: [new File([], 'x.png')] });
    await expect(unreachable).rejects.toBeInstanceOf(GatewayUnreachable);
    await expect(unreachable).rejects.toThrow(/gateway at http:\/\/127\.0\.0\.1:3000 could not be reached.*GATEWAY_CORS_ORIGINS/);
  });
});

describe('a refused call as a person reads it', () => {
  it("is the API's message and request id, or the status when the body is not API.md's", () => {
    expect(refusalOf(answer(200, { faces: [] }))).toBeNull();
    expect(refusalOf(answer(401, { error: { code: 'unauthenticated', message: 'API key invalid.', requestId: 'r-9' } }))).toEqual({
      status: 401,
      code: 'unauthenticated',
      message: 'API key invalid.',
      requestId: 'r-9',
    });
    expect(refusalOf(answer(502, '<html>Bad gateway</html>', 30))).toEqual({ status: 502, code: 'error', message: 'The gateway answered HTTP 502. Try again in 30 s.', requestId: 'r-1' });
  });

  it('says when to try again in seconds, minutes, or as a local time', () => {
    expect(whenToRetry(1)).toBe('Try again in 1 s.');
    expect(whenToRetry(90)).toBe('Try again in 90 s.');
    expect(whenToRetry(91)).toBe('Try again in 2 min.');
    expect(whenToRetry(5400)).toBe('Try again in 90 min.');
    expect(whenToRetry(50_000)).toMatch(/^Try again after .+\.$/);
  });
});
