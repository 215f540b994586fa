import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { renderError } from '@nomosly/http';

export interface UploadPaceOptions {
  /** Below this, over any second after the first, the body is cut. */
  minBytesPerSecond: number;
  /** The whole body must have arrived by then. */
  timeoutMs: number;
}

/** The first second is free: a connection warms up (TCP slow start, a TLS proxy) before it reaches its pace. */
const GRACE_MS = 1_000;
const WINDOW_MS = 1_000;

/**
 * A request body must keep arriving at UPLOAD_MIN_BYTES_PER_SECOND after its first second, and be whole within
 * UPLOAD_TIMEOUT_MS; otherwise it is cut with 408 `request_timeout` and the connection closed. A trickling
 * client cannot hold a connection, an upload slot and its admitted units for minutes. The 408 goes out through
 * Fastify's reply, so the onSend hooks give the call's units back like any answer that is not 2xx.
 */
export function installUploadPace(instance: unknown, options: UploadPaceOptions): void {
  const fastify = instance as FastifyInstance;
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (hasBody(request)) watchUpload(request, reply, options);
    done();
  });
}

function hasBody(request: FastifyRequest): boolean {
  const { headers } = request.raw;
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

function watchUpload(request: FastifyRequest, reply: FastifyReply, options: UploadPaceOptions): void {
  const raw = request.raw;
  const socket = raw.socket;
  // Bytes read off the socket, not 'data' events: counting must not consume the body its parser is reading.
  let windowStart = socket.bytesRead;
  const windowMinimum = Math.ceil((options.minBytesPerSecond * WINDOW_MS) / 1_000);
  let pace: NodeJS.Timeout | undefined;

  const stop = () => {
    clearTimeout(grace);
    clearTimeout(deadline);
    clearInterval(pace);
  };
  const received = () => raw.complete || raw.destroyed || reply.raw.writableEnded;
  const cut = (message: string) => {
    stop();
    if (reply.sent || reply.raw.headersSent) return socket.destroy();
    // `connection: close`: Node drops the rest of the body and closes the connection once the answer is out.
    const refused = renderError(new PublicError(ErrorCode.RequestTimeout, message), String(request.id));
    void reply
      .code(refused.status)
      .headers(refused.headers)
      .header('connection', 'close')
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(refused.body));
  };
  const checkPace = () => {
    if (received()) return stop();
    const arrived = socket.bytesRead - windowStart;
    windowStart = socket.bytesRead;
    // A full buffer means we are the slow reader (the body waits for its parser), not the client.
    if (raw.readableLength >= raw.readableHighWaterMark) return;
    if (arrived < windowMinimum) {
      cut(`The request body arrived at ${arrived} bytes/s; the minimum is ${options.minBytesPerSecond} bytes/s.`);
    }
  };

  const grace = setTimeout(() => {
    if (received()) return stop();
    windowStart = socket.bytesRead;
    pace = setInterval(checkPace, WINDOW_MS).unref();
  }, GRACE_MS).unref();
  const deadline = setTimeout(() => {
    if (!received()) cut(`The request body was not complete within ${options.timeoutMs / 1_000} s.`);
  }, options.timeoutMs).unref();
  raw.once('end', stop);
  reply.raw.once('close', stop);
}
