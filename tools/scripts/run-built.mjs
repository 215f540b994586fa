#!/usr/bin/env node
// Runs a compiled entry point from dist/, building first when dist/ is missing or older than the sources.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './lib/build-state.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-built.mjs <path under dist/> [args...]');
  process.exit(2);
}
await buildIfStale(root);
const target = path.join(root, 'dist', entry);
if (!existsSync(target)) {
  console.error(`not found after build: dist/${entry}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--enable-source-maps', target, ...args], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
