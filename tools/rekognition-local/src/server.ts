import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, PublicError } from '@nomosly/contracts';
import type { VisionEngine } from '@nomosly/engines';
import { AwsError, rekognitionOperations, statusOfAwsError } from './operations';
import { type Credentials, verifySignature } from './sigv4';

/** JSON bodies carry at most two base64 images of 5 MB, and a little JSON. */
const MAX_BODY = 16 * 1024 * 1024;
const TARGET = /^RekognitionService\.(\w+)$/;

export interface StandInOptions {
  engine: VisionEngine;
  credentials: Credentials;
  port?: number;
  host?: string;
  /** Fault injection for tests: an AWS error to answer with instead of running the operation. */
  fault?: (operation: string) => AwsError | undefined;
}

/**
 * A local stand-in for AWS Rekognition that speaks its JSON 1.1 wire protocol: POST / with
 * `X-Amz-Target: RekognitionService.<Operation>` and `application/x-amz-json-1.1`, SigV4-signed by the
 * caller. The real SDK, pointed here by `endpoint`, runs unchanged, its exception classes included.
 */
export async function startStandIn(options: StandInOptions): Promise<{ url: string; close(): Promise<void> }> {
  const operations = rekognitionOperations(options.engine);
  const server = http.createServer((request, response) => {
    void handle(request, response).catch(() => send(response, 500, errorBody('InternalServerError', 'Internal server error')));
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === null) return send(response, 413, errorBody('ImageTooLargeException', 'Request is too large.'));
    const target = TARGET.exec(String(request.headers['x-amz-target'] ?? ''));
    if (request.method !== 'POST' || request.url !== '/' || !target) {
      return send(response, 400, errorBody('UnknownOperationException', 'Unknown operation.'));
    }
    const signature = await verifySignature({ method: 'POST', path: '/', headers: request.headers, body }, options.credentials);
    if (!signature.ok) return send(response, statusOfAwsError(signature.type), errorBody(signature.type, signature.message));
    const operation = (operations as unknown as Record<string, ((input: Record<string, unknown>) => Promise<object>) | undefined>)[target[1]];
    if (!operation) return send(response, 400, errorBody('UnknownOperationException', `Unknown operation ${target[1]}.`));
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return send(response, 400, errorBody('SerializationException', 'The request body is not valid JSON.'));
    }
    const fault = options.fault?.(target[1]);
    if (fault) return send(response, fault.status, errorBody(fault.type, fault.message));
    try {
      send(response, 200, (await operation(input)) as Record<string, unknown>);
    } catch (error) {
      if (error instanceof AwsError) return send(response, error.status, errorBody(error.type, error.message));
      if (error instanceof PublicError && error.code === ErrorCode.InvalidImage) {
        return send(response, 400, errorBody('InvalidImageFormatException', 'Request has invalid image format'));
      }
      send(response, 500, errorBody('InternalServerError', 'Internal server error'));
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function errorBody(type: string, message: string): Record<string, unknown> {
  return { __type: type, message };
}

function send(response: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    ...(typeof body.__type === 'string' ? { 'x-amzn-errortype': body.__type } : {}),
  });
  response.end(text);
}

function readBody(request: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
