import { isGatewayErrorBody } from './gateway-results';
import { OPERATION_CALLS, type PlaygroundOperation, operationUrl } from './operations';

export interface GatewayAnswer {
  status: number;
  /** The JSON body as the gateway sent it (a result, or API.md's error body). */
  body: unknown;
  requestId: string | null;
  elapsedMs: number;
  /** Retry-After, when the gateway sent it (429, 503). */
  retryAfterSeconds?: number;
}

export interface GatewayCall {
  gatewayUrl: string;
  operation: PlaygroundOperation;
  /** Sent as the bearer to the gateway only; never stored. */
  apiKey: string;
  /** One file per field of the operation (Image, then Second image). */
  images: readonly File[];
  signal?: AbortSignal;
}

/**
 * One call of the public REST API from the browser, as API.md's contract has it: multipart form with the image
 * file fields, the key as `Authorization: Bearer`. The gateway grants the console's origin CORS (GATEWAY_CORS_ORIGINS)
 * and exposes RateLimit-*, Retry-After and x-request-id. Resolves with any answer the gateway gave; rejects with
 * a GatewayUnreachable when there was none to read.
 */
export async function callGateway(call: GatewayCall): Promise<GatewayAnswer> {
  const form = new FormData();
  OPERATION_CALLS[call.operation].fields.forEach((field, index) => {
    const file = call.images[index];
    if (file) form.append(field, file, file.name);
  });
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(operationUrl(call.gatewayUrl, call.operation), {
      method: 'POST',
      headers: { authorization: `Bearer ${call.apiKey}` },
      body: form,
      signal: call.signal,
      // The key is the only credential: no cookie of any origin goes with it.
      credentials: 'omit',
    });
  } catch (error) {
    if (call.signal?.aborted) throw new GatewayUnreachable('Cancelled: the call was stopped before the gateway answered.');
    throw new GatewayUnreachable(
      `The gateway at ${new URL(call.gatewayUrl).origin} could not be reached from this page (${(error as Error).message}). Check that it is running and that GATEWAY_CORS_ORIGINS admits this console.`,
    );
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): shown as it came.
  }
  return { status: response.status, body, requestId: response.headers.get('x-request-id'), elapsedMs: performance.now() - started, ...retryOf(response) };
}

function retryOf(response: Response): { retryAfterSeconds?: number } {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? { retryAfterSeconds: value } : {};
}

/** No answer to read: the call was cancelled, or the browser could not reach the gateway (or CORS refused it). */
export class GatewayUnreachable extends Error {
  override name = 'GatewayUnreachable';
}

/** A refused call as the person reads it: API.md's code and message, and when to try again if the gateway said. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  requestId?: string;
}

export function refusalOf(answer: GatewayAnswer): Refusal | null {
  if (answer.status >= 200 && answer.status < 300) return null;
  const retry = answer.retryAfterSeconds ? ` ${whenToRetry(answer.retryAfterSeconds)}` : '';
  if (isGatewayErrorBody(answer.body)) {
    const { code, message, requestId } = answer.body.error;
    return { status: answer.status, code, message: `${message}${retry}`, requestId };
  }
  return { status: answer.status, code: 'error', message: `The gateway answered HTTP ${answer.status}.${retry}`, requestId: answer.requestId ?? undefined };
}

/** Retry-After as a person reads it: seconds for a short wait, minutes for a longer one, else the local time. */
export function whenToRetry(seconds: number): string {
  if (seconds <= 90) return `Try again in ${seconds} s.`;
  if (seconds <= 90 * 60) return `Try again in ${Math.ceil(seconds / 60)} min.`;
  return `Try again after ${new Date(Date.now() + seconds * 1000).toLocaleString()}.`;
}
