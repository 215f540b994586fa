import createClient from 'openapi-fetch';
import type { components, paths } from '../api/schema';

/**
 * What the console app tells its page about the world around it: `GET /api/client-config`, no authentication
 * (the issuer, this page's public client id, the Console API's audience, the gateway the playground calls).
 * Fetched before the API client exists: the client's bearer middleware needs the session this configures, so this
 * one is a bare client of the same generated paths (no middleware), typed like every other call.
 */
export type ClientConfig = components['schemas']['ClientConfig'];

export async function loadClientConfig(): Promise<ClientConfig> {
  const bare = createClient<paths>({ baseUrl: window.location.origin });
  const { data, response } = await bare.GET('/api/client-config', { headers: { accept: 'application/json' } });
  if (!data) throw new Error(`The console could not load its settings (HTTP ${response.status}). Reload the page to try again.`);
  return data;
}
