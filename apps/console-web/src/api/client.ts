import createClient, { type Middleware, createFinalURL, createQuerySerializer, defaultPathSerializer } from 'openapi-fetch';
import { accessToken } from '../auth/auth';
import type { paths } from './schema';

/**
 * An error the Console API answered, with API.md's body: `code` for the program, `message` for the person
 * (pages show the message as it is: it already says what to do).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const bearer: Middleware = {
  onRequest({ request }) {
    const token = accessToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
};

/** The Console API, typed by the OpenAPI document the console app serves (generated into ./schema.d.ts). */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(bearer);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer, or an ApiError carrying the API's own message. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch {
    throw new ApiError(0, 'network', 'The console could not reach its server. Check your connection and try again.');
  }
  if (answer.response.ok) return answer.data as T;
  throw toApiError(answer.response, answer.error);
}

export function toApiError(response: Response, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const requestId = response.headers.get('x-request-id') ?? undefined;
  if (error && typeof error.message === 'string') {
    return new ApiError(response.status, typeof error.code === 'string' ? error.code : 'error', error.message, requestId);
  }
  return new ApiError(response.status, 'error', `The server answered ${response.status} ${response.statusText}. Try again in a moment.`, requestId);
}

/** The path and query parameters a GET of `P` takes, as the generated schema has them. */
type GetParameters<P extends keyof paths> = paths[P] extends { get: { parameters: infer Parameters } } ? Pick<Parameters, Extract<keyof Parameters, 'path' | 'query'>> : never;

/**
 * The URL (origin-relative) of a GET of the Console API, built from the generated schema's paths like the client's
 * own calls: a renamed path or parameter fails the build. For what is not fetched as JSON: a link's href, a download.
 */
export function apiHref<P extends keyof paths>(path: P, params: GetParameters<P>): string {
  return createFinalURL(path as string, {
    baseUrl: '',
    params: params as { path?: Record<string, unknown>; query?: Record<string, unknown> },
    querySerializer: createQuerySerializer(),
    pathSerializer: defaultPathSerializer,
  });
}

/** A download (CSV, export zip) with the bearer token: fetched as a blob, then saved by the browser. `path`: from apiHref. */
export async function download(path: string, fallbackName: string, onProgress?: (receivedBytes: number) => void): Promise<void> {
  const token = accessToken();
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    throw toApiError(response, body);
  }
  const chunks: BlobPart[] = [];
  let received = 0;
  const reader = response.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onProgress?.(received);
    }
  }
  const blob = new Blob(chunks, { type: response.headers.get('content-type') ?? 'application/octet-stream' });
  const name = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
