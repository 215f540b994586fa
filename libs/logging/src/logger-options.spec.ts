import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pinoHttp, type Options } from 'pino-http';
import { pino } from 'pino';
import { baseLoggerOptions, nestLoggerParams } from './logger-options';
import type { LoggableRequest } from './request-log';

/** Runs one request through the request logger exactly as the apps configure it and returns the lines written. */
async function logOf(request: {
  path: string;
  headers?: Record<string, string>;
  body?: string;
  status?: number;
  keyPrefix?: string;
  /** What the Fastify adapter's onRequest hook leaves on the raw request before the logger runs. */
  routed?: { path: string; ip: string };
}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const [options] = nestLoggerParams({ service: 'test', level: 'info', pretty: false }).pinoHttp as [Options];
  const middleware = pinoHttp(options, sink);
  const server = http.createServer((req, res) => {
    (req as { id?: string }).id = 'req-1';
    if (request.routed) Object.assign(req, { routedPath: request.routed.path, clientIp: request.routed.ip } satisfies Partial<LoggableRequest>);
    middleware(req, res);
    if (request.keyPrefix) (req as LoggableRequest).keyPrefix = request.keyPrefix;
    req.resume();
    req.on('end', () => {
      res.statusCode = request.status ?? 200;
      res.end('{"faces":[{"boundingBox":{"left":0.123456}}]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await fetch(`http://127.0.0.1:${port}${request.path}`, {
    method: request.body ? 'POST' : 'GET',
    headers: request.headers,
    body: request.body,
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => server.close(resolve));
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('request log (P2)', () => {
  it('P2: a request log line holds only time, ip, method, path, status, latency, request id and key prefix', async () => {
    const [line, ...rest] = await logOf({
      path: '/v1/faces/detect?secret=query-value',
      headers: { authorization: 'Bearer nk_live_abcdSECRETSECRETSECRETSECRETSECR', 'user-agent': 'agent-007', cookie: 'sid=1' },
      body: '{"image":"BASE64-IMAGE-BYTES"}',
      keyPrefix: 'nk_live_abcd',
    });
    expect(rest).toHaveLength(0);
    expect(Object.keys(line).sort()).toEqual(
      ['level', 'time', 'service', 'requestId', 'ip', 'method', 'path', 'status', 'latencyMs', 'keyPrefix', 'msg'].sort(),
    );
    expect(line).toMatchObject({ requestId: 'req-1', method: 'POST', path: '/v1/faces/detect', status: 200, keyPrefix: 'nk_live_abcd' });
    const text = JSON.stringify(line);
    for (const sent of ['query-value', 'SECRETSECRET', 'agent-007', 'sid=1', 'BASE64-IMAGE-BYTES', '0.123456']) {
      expect(text).not.toContain(sent);
    }
  });

  it('P2: failed requests are logged with the same fields and no more', async () => {
    const [line] = await logOf({ path: '/v1/text/detect', status: 500, body: 'raw-body-bytes' });
    expect(line).toMatchObject({ status: 500, path: '/v1/text/detect', msg: 'request failed', keyPrefix: null });
    expect(JSON.stringify(line)).not.toContain('raw-body-bytes');
  });

  it('does not log health probes and metric scrapes', async () => {
    expect(await logOf({ path: '/readyz' })).toEqual([]);
    expect(await logOf({ path: '/metrics' })).toEqual([]);
  });

  it('P2: a routed request logs its path as routed and its address as Fastify believes it, as the workspace request log does', async () => {
    const [line] = await logOf({
      path: '/v1/labels/detec%74?secret=query-value',
      routed: { path: '/v1/labels/detect', ip: '203.0.113.7' },
    });
    expect(line).toMatchObject({ path: '/v1/labels/detect', ip: '203.0.113.7' });
    expect(JSON.stringify(line)).not.toContain('query-value');
    // Without them (no route reached), the path the client sent, no query, and the socket's address.
    expect((await logOf({ path: '/nowhere?secret=query-value' }))[0]).toMatchObject({ path: '/nowhere', ip: '127.0.0.1' });
  });

  it('judges a probe quiet by its routed path, however its URL is spelled', async () => {
    expect(await logOf({ path: '/ready%7a', routed: { path: '/readyz', ip: '127.0.0.1' } })).toEqual([]);
  });
});

describe('redaction (P2, defence in depth)', () => {
  it('P2: a line that carries a request or response anyway has its credentials and cookies censored', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino(baseLoggerOptions({ service: 'test', level: 'info', pretty: false }), sink);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer nk_live_abcdSECRET', 'x-api-key': 'nk_live_abcdOTHERSECRET', cookie: 'sid=SESSION' } },
        res: { headers: { 'set-cookie': 'sid=NEWSESSION' } },
      },
      'something went wrong',
    );
    const text = lines.join('');
    for (const sent of ['SECRET', 'SESSION']) expect(text).not.toContain(sent);
    expect(text.match(/\[redacted\]/g)).toHaveLength(4);
  });
});
