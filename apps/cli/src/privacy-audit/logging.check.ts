import { Writable } from 'node:stream';
import pino, { type LoggerOptions } from 'pino';
import { nestLoggerParams } from '@nomosly/logging';
import { type AuditLine, fail, pass } from './audit-line';

const MARK = 'AUDIT-MARK-7f3a';

/**
 * P2: the request logger every app builds (libs/logging, as installed with this CLI) redacts credentials and
 * serializes no request or response. A check of the configuration, run through pino itself: it cannot see what a
 * running app of another version logs.
 */
export async function checkLogRedaction(): Promise<AuditLine[]> {
  const [options] = nestLoggerParams({ service: 'privacy-audit', level: 'info', pretty: false }).pinoHttp as [LoggerOptions];
  const required = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'res.headers["set-cookie"]'];
  const redact = options.redact;
  const paths = Array.isArray(redact) ? redact : (redact?.paths ?? []);
  const missing = required.filter((path) => !paths.includes(path));
  if (missing.length) return [fail('P2', `log redaction is off for ${missing.join(', ')} in the apps' logging setup`)];
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ ...options, transport: undefined }, sink);
  // What a careless log call could pass: a request with credentials and a body, and a response setting a cookie.
  logger.info(
    {
      req: { method: 'POST', url: '/v1/faces/detect', headers: { authorization: `Bearer ${MARK}`, 'x-api-key': MARK, cookie: MARK }, body: MARK },
      res: { statusCode: 200, headers: { 'set-cookie': MARK }, body: MARK },
    },
    'privacy audit probe',
  );
  logger.flush();
  await new Promise((resolve) => setImmediate(resolve));
  const written = lines.join('');
  if (!written.includes('privacy audit probe')) return [fail('P2', 'the logging setup wrote nothing for a probe line; redaction could not be shown')];
  if (written.includes(MARK)) {
    return [fail('P2', 'log redaction is off: a log line built with the apps\' logging setup kept a credential, a cookie or a body')];
  }
  return [
    pass(
      'P2',
      'log redaction is on in the apps\' logging setup (authorization, x-api-key, cookies redacted; request and response bodies not serialized; a configuration check)',
    ),
  ];
}
