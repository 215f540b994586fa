import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

type Fetch = typeof globalThis.fetch;

const urlOf = (input: Parameters<Fetch>[0]): string =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

/**
 * Runs `task` with a global `fetch` that serves `file://` URLs from disk. `human` loads its models with
 * the global fetch, and Node's fetch rejects `file://`. Any other URL is refused rather than fetched: the
 * engine never reaches a CDN, so a config slip fails loudly instead of downloading. The original fetch is
 * restored afterwards (model loading is the only time it is needed).
 */
export async function withFileFetch<T>(task: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  const fileFetch: Fetch = async (input) => {
    const url = urlOf(input);
    if (!url.startsWith('file://')) {
      throw new Error(`local engine: network access refused while loading models (${url})`);
    }
    try {
      const body = await readFile(fileURLToPath(url));
      return new Response(body, { status: 200 });
    } catch {
      return new Response(null, { status: 404, statusText: `not found: ${url}` });
    }
  };
  globalThis.fetch = fileFetch;
  try {
    return await task();
  } finally {
    globalThis.fetch = original;
  }
}
