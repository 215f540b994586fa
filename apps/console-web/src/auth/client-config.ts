import type { components } from '../api/schema';

/**
 * What the console app tells its page about the world around it: `GET /api/client-config`, no authentication
 * (the issuer, this page's public client id, the Console API's audience, the gateway the playground calls).
 * Fetched before the API client exists: the client's bearer middleware needs the session this configures.
 */
export type ClientConfig = components['schemas']['ClientConfig'];

export async function loadClientConfig(): Promise<ClientConfig> {
  const response = await fetch('/api/client-config', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`The console could not load its settings (HTTP ${response.status}). Reload the page to try again.`);
  return (await response.json()) as ClientConfig;
}
