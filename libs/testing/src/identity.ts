import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './app-process';
import { REPO_ROOT } from './paths';

export interface IdpStandIn {
  /** The issuer: where it listens. */
  url: string;
  /** The `aud` of its access tokens. */
  audience: string;
  keysFile: string;
  /** Everything the process wrote so far. */
  logs(): string;
  stop(): Promise<void>;
}

export interface IdpStandInOptions {
  /** Reuse a signing key file (to restart a stand-in); by default a fresh one in a temporary folder. */
  keysFile?: string;
  env?: Record<string, string>;
}

const DEFAULT_AUDIENCE = 'https://api.nomosly.local';

/** The local identity provider stand-in (tools/idp-local, built) as its own process on a free port. */
export async function startIdpStandIn(options: IdpStandInOptions = {}): Promise<IdpStandIn> {
  const ownKeysDir = options.keysFile ? undefined : await mkdtemp(path.join(os.tmpdir(), 'nomosly-idp-'));
  const keysFile = options.keysFile ?? path.join(ownKeysDir as string, 'idp-keys.json');
  const audience = options.env?.IDP_AUDIENCE ?? DEFAULT_AUDIENCE;
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(REPO_ROOT, 'dist/tools/idp-local/src/main.js')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', IDP_KEYS_FILE: keysFile, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const removeOwnKeys = async () => {
    if (ownKeysDir) await rm(ownKeysDir, { recursive: true, force: true });
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`idp-local did not start within 60 s:\n${output}`)), 60_000);
    child.stdout?.on('data', () => {
      const match = /^idp-local (http:\/\/\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`idp-local exited with ${code}:\n${output}`));
    });
  }).catch(async (error: Error) => {
    child.kill('SIGKILL');
    await removeOwnKeys();
    throw error;
  });
  return {
    url,
    audience,
    keysFile,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await removeOwnKeys();
    },
  };
}

/** A console API access token for `email` from the stand-in at `issuerUrl`, through the admin CLI's dev-token. */
export function devToken(issuerUrl: string, email: string, name?: string): string {
  const result = runCli(['dev-token', '--email', email, ...(name ? ['--name', name] : [])], { OIDC_ISSUER: issuerUrl });
  if (result.status !== 0) throw new Error(`cli dev-token failed (${result.status}): ${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1) ?? '';
}
