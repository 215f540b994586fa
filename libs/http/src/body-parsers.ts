import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import { MAX_JSON_DEPTH, jsonDeeperThan } from './json-depth';

/** Bodies over the limit are still read, and thrown away, up to this size, so the client reads our 413. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

type Done = (error: Error | null, body?: unknown) => void;

/**
 * Reads a body into a Buffer with a size limit. Unlike Fastify's own limit, which closes the connection
 * mid-upload (the client sees a broken pipe, not our answer), an oversized body is read to its end and
 * discarded, then refused with 413 `image_too_large` in API.md's error body.
 */
export function readLimitedBody(limit: number, payload: NodeJS.ReadableStream, done: Done, onBody: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  payload.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else chunks.length = 0;
    if (size > DRAIN_LIMIT) (payload as unknown as { destroy(): void }).destroy();
  });
  payload.on('error', (error: Error) => done(error));
  payload.on('end', () => {
    if (size > limit) {
      done(new PublicError(ErrorCode.ImageTooLarge, `The request body is ${size} bytes; the limit is ${limit} bytes.`));
      return;
    }
    onBody(Buffer.concat(chunks, size));
  });
}

/** Registers raw-bytes parsers for these content types, and a JSON parser, both with draining limits. */
export function installBodyParsers(instance: unknown, options: { raw: { types: readonly string[]; limit: number }; jsonLimit: number }): void {
  const fastify = instance as FastifyInstance;
  fastify.addContentTypeParser([...options.raw.types], (_request: FastifyRequest, payload, done) =>
    readLimitedBody(options.raw.limit, payload, done, (body) => done(null, body)),
  );
  installJsonParser(fastify, { limit: options.jsonLimit });
}

/**
 * Replaces Fastify's JSON parser with one that reads with a draining limit (413 in API.md's body) and refuses
 * an empty body, invalid JSON, or nesting deeper than MAX_JSON_DEPTH with 400 `invalid_request`. For an app
 * created with Nest's own body parser turned off (`bodyParser: false`), which would otherwise add its own.
 */
export function installJsonParser(instance: unknown, options: { limit: number }): void {
  const fastify = instance as FastifyInstance;
  const parseJson = fastify.getDefaultJsonParser('error', 'ignore');
  if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', (request: FastifyRequest, payload, done) =>
    readLimitedBody(options.limit, payload, done, (body) => {
      if (body.length === 0) return done(new PublicError(ErrorCode.InvalidRequest, 'The JSON body is empty.'));
      if (jsonDeeperThan(body)) {
        return done(new PublicError(ErrorCode.InvalidRequest, `The JSON body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep.`));
      }
      parseJson(request, body.toString('utf8'), (error, parsed) =>
        error ? done(new PublicError(ErrorCode.InvalidRequest, 'The body is not valid JSON.')) : done(null, parsed),
      );
    }),
  );
}

/**
 * Reads what is left of a request's body and throws it away (up to 64 MiB, for at most 10 s), so that a
 * refusal sent before the body was read reaches a client that is still uploading, on a connection that
 * can carry the next request. Past the limits the request is cut off.
 */
export function drainRequest(raw: IncomingMessage, timeoutMs = 10_000): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_LIMIT) {
        raw.destroy();
        done();
      }
    };
    const timer = setTimeout(() => {
      raw.destroy();
      done();
    }, timeoutMs);
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    raw.unpipe();
    raw.resume();
  });
}
