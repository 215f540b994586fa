import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { REPO_ROOT } from './paths';

/**
 * Polar for a console whose test never reaches it: a token, and an address where nothing listens (a billing call
 * that did reach it would answer 503, not what any such test expects). Tests of billing pass polar-local's instead.
 */
export const POLAR_NOT_CALLED_ENV: Readonly<Record<string, string>> = {
  POLAR_ACCESS_TOKEN: 'polar_oat_console_test',
  POLAR_SERVER_URL: 'http://127.0.0.1:9',
};

/** What polar-local answers every Polar API call with until told otherwise (its `PUT /__local/fault`). */
export type PolarStandInFault =
  | { mode: 'none' }
  | { mode: 'status'; status: number }
  | { mode: 'rate-limit'; retryAfterSeconds: number }
  | { mode: 'hang' };

export interface PolarStandInProduct {
  /** The product id; by default one derived from the plan's name. */
  id?: string;
  name: string;
  plan: string;
  priceAmountCents?: number;
  /** Cents per unit as a decimal string, e.g. "0.1". */
  meteredUnitAmountCents: string;
}

export interface PolarStandIn {
  url: string;
  accessToken: string;
  webhookSecret: string;
  setFault(fault: PolarStandInFault): Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The Polar stand-in (tools/polar-local, built) as its own process on a free port, with a fresh access token and
 * webhook secret; an app under test reaches it as its POLAR_SERVER_URL.
 */
export async function startPolarStandIn(
  options: { products?: PolarStandInProduct[]; webhookUrl?: string; env?: Record<string, string> } = {},
): Promise<PolarStandIn> {
  const accessToken = `polar_oat_test_${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(REPO_ROOT, 'dist/tools/polar-local/src/main.js')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      POLAR_ACCESS_TOKEN: accessToken,
      POLAR_WEBHOOK_SECRET: webhookSecret,
      ...(options.webhookUrl ? { POLAR_WEBHOOK_URL: options.webhookUrl } : {}),
      ...(options.products ? { POLAR_LOCAL_PRODUCTS: JSON.stringify(options.products) } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`polar-local did not start within 60 s:\n${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^polar-local (http:\/\/\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`polar-local exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    accessToken,
    webhookSecret,
    setFault: async (fault) => {
      const response = await fetch(`${url}/__local/fault`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      if (!response.ok) throw new Error(`polar-local refused the fault ${JSON.stringify(fault)}: ${response.status} ${await response.text()}`);
    },
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
