/** What the console app tells its page about the world around it: `GET /api/client-config`, no authentication. */
export interface ClientConfig {
  /** The OIDC issuer the console trusts (Auth0 in production, idp-local locally). */
  issuer: string;
  /** This page's OIDC client (public client: authorization code with PKCE, no secret). */
  clientId: string;
  /** The Console API's audience, asked for at sign-in so the access token is a JWT for it. */
  audience: string;
  scope: string;
  /** The public REST API the playground calls, and its code samples name. */
  gatewayUrl: string;
}

export async function loadClientConfig(): Promise<ClientConfig> {
  const response = await fetch('/api/client-config', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`The console could not load its settings (HTTP ${response.status}). Reload the page to try again.`);
  return (await response.json()) as ClientConfig;
}
