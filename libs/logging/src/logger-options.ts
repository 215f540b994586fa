import type { Params } from 'nestjs-pino';
import type { DestinationStream, LoggerOptions } from 'pino';
import { stdTimeFunctions } from 'pino';
import { type LoggableRequest, loggedPath, requestLogFields } from './request-log';

export interface LoggingOptions {
  /** The app's name, on every line as `service`. */
  service: string;
  level: string;
  /** Human-readable output, for development only. */
  pretty: boolean;
  /** Paths that are not logged per request (health probes, metrics scrapes). */
  quietPaths?: readonly string[];
}

/** Probe and scrape paths: not requests anyone asked us to keep a record of. */
export const QUIET_PATHS: readonly string[] = Object.freeze(['/healthz', '/readyz', '/metrics']);

/** Header names that must never reach a log line, even if a future change logs headers by mistake. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function baseLoggerOptions(options: LoggingOptions): LoggerOptions {
  return {
    level: options.level,
    base: { service: options.service },
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(options.pretty
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  };
}

/** One nestjs-pino setup for every app: a request log line with only the fields of P2, nothing a client sent. */
export function nestLoggerParams(options: LoggingOptions, destination?: DestinationStream): Params {
  const quiet = new Set(options.quietPaths ?? QUIET_PATHS);
  return {
    pinoHttp: [
      {
        ...baseLoggerOptions(options),
        quietReqLogger: true,
        customAttributeKeys: { reqId: 'requestId' },
        // Request and response objects are reduced to nothing: the success/error objects below say what is logged.
        serializers: { req: () => undefined, res: () => undefined, err: errorWithoutClientData },
        wrapSerializers: false,
        autoLogging: { ignore: (req) => quiet.has(loggedPath(req as LoggableRequest)) },
        customSuccessMessage: () => 'request completed',
        customErrorMessage: () => 'request failed',
        customSuccessObject: (req, res, value: { responseTime?: number }) =>
          requestLogFields(req as LoggableRequest, res, value.responseTime ?? 0),
        customErrorObject: (req, res, _error, value: { responseTime?: number }) =>
          requestLogFields(req as LoggableRequest, res, value.responseTime ?? 0),
        customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      },
      ...(destination ? [destination] : []),
    ] as Params['pinoHttp'],
  };
}



/** Errors are logged by type and message only; messages we write never quote client input. */
function errorWithoutClientData(error: unknown): { type: string; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  return { type: error.name, message: error.message };
}
