import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './paths';

export type StandInName = 'idp-local' | 'polar-local' | 'rekognition-local';

export interface StandInProcess {
  child: ChildProcess;
  url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

/** What each stand-in needs to start, beyond its defaults. */
export const STAND_IN_ENV: Readonly<Record<StandInName, Record<string, string>>> = {
  'idp-local': {},
  'polar-local': { POLAR_ACCESS_TOKEN: 'polar_oat_shutdown', POLAR_WEBHOOK_SECRET: `whsec_${Buffer.from('stand-ins-shutdown-secret').toString('base64')}` },
  'rekognition-local': { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
};

/** Starts a built stand-in (dist/tools) as its own process on a free port and waits for the line naming its URL. */
export async function startStandInProcess(name: StandInName, env: Record<string, string> = {}): Promise<StandInProcess> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/tools', name, 'src/main.js')], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', PORT: '0', ...STAND_IN_ENV[name], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const url = new RegExp(`^${name} (http://\\S+)$`, 'm').exec(output)?.[1];
    if (url) return { child, url, output: () => output };
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} printed no URL within 60 s:\n${output}`);
}
