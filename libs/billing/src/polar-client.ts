import { Polar } from '@polar-sh/sdk';
import type { PolarSettings } from './polar-config';

/**
 * The one way an app makes its Polar client: the real SDK, pointed at POLAR_SERVER_URL (Polar, its sandbox, or
 * `tools/polar-local`), with a timeout on every call. The SDK's own retries are off: callers decide (the ledger
 * backs off per event, a console request answers at once).
 */
export function createPolarClient(settings: Pick<PolarSettings, 'POLAR_ACCESS_TOKEN' | 'POLAR_SERVER_URL' | 'POLAR_TIMEOUT_MS'>): Polar {
  return new Polar({
    accessToken: settings.POLAR_ACCESS_TOKEN,
    serverURL: settings.POLAR_SERVER_URL,
    timeoutMs: settings.POLAR_TIMEOUT_MS,
    retryConfig: { strategy: 'none' },
  });
}
