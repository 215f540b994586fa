import type { TestSystem } from '@nomosly/testing';

export type Form = 'multipart' | 'json' | 'raw';

/** Builds a request for one of API.md's three input forms. */
export function imageRequest(
  form: Form,
  images: Record<string, Buffer>,
  params: Record<string, string | number> = {},
  type = 'image/png',
): { body: FormData | string | Buffer; headers: Record<string, string>; query: string } {
  if (form === 'multipart') {
    const data = new FormData();
    for (const [field, bytes] of Object.entries(images)) data.append(field, new Blob([bytes], { type }), `${field}.bin`);
    for (const [name, value] of Object.entries(params)) data.append(name, String(value));
    return { body: data, headers: {}, query: '' };
  }
  if (form === 'json') {
    const body = { ...params, ...Object.fromEntries(Object.entries(images).map(([f, b]) => [f, b.toString('base64')])) };
    return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, query: '' };
  }
  const [bytes] = Object.values(images);
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return { body: bytes as Buffer, headers: { 'content-type': type }, query: query ? `?${query}` : '' };
}

export async function callApi(
  system: TestSystem,
  path: string,
  form: Form,
  images: Record<string, Buffer>,
  options: { params?: Record<string, string | number>; key?: string; type?: string; signal?: AbortSignal } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const request = imageRequest(form, images, options.params, options.type);
  const response = await fetch(`${system.gateway.url}${path}${request.query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.key ?? system.key}`, ...request.headers },
    body: request.body,
    signal: options.signal,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** A response body without the fields that differ per call. */
export function resultOf(body: Record<string, unknown>): Record<string, unknown> {
  const { requestId: _requestId, ...rest } = body;
  return rest;
}

export async function metricValue(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (wanted.every((label) => line.includes(label))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

/** A counter's total over all its label sets (0 while it has none), as an app's /metrics shows it. */
export async function metricTotal(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(`${name}{`)).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
