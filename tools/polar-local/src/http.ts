import type http from 'node:http';

/** Large enough for a batch of several thousand events. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

/** An answer in Polar's error shape, thrown by a route and written by the server. */
export class PolarHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${JSON.stringify(body)}`);
  }
}

export const notFound = (detail: string) => new PolarHttpError(404, { error: 'ResourceNotFound', detail });
export const validationFailed = (detail: ValidationIssue[]) => new PolarHttpError(422, { error: 'PolarRequestValidationError', detail });
export const unauthorized = () =>
  new PolarHttpError(401, { error: 'Unauthorized', detail: 'Unauthorized' }, { 'www-authenticate': 'Bearer realm="polar-local"' });
export const invalid = (loc: (string | number)[], msg: string, input: unknown, type = 'value_error') => validationFailed([{ type, loc, msg, input }]);

export function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendEmpty(response: http.ServerResponse, status: number): void {
  response.writeHead(status);
  response.end();
}

export function sendHtml(response: http.ServerResponse, status: number, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  response.end(html);
}

/** The request body, or null when it exceeds `MAX_BODY_BYTES`. */
export function readBody(request: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** A JSON object body, or Polar's 422 for anything else. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid(['body'], 'JSON decode error', body.toString('utf8').slice(0, 200), 'json_invalid');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(['body'], 'Input should be a valid dictionary or object to extract fields from', value, 'model_attributes_type');
  }
  return value as Record<string, unknown>;
}

/** A form-encoded body (the checkout and portal pages post these). */
export function parseForm(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString('utf8'));
}
