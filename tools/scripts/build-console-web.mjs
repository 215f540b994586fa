#!/usr/bin/env node
// Builds the web console (apps/console-web) into dist/apps/console-web: generates its client types from the
// Console API's OpenAPI document (dist/ must hold the swc build), type-checks it (so a field the
// Console API renamed breaks the build through the generated client's types), then bundles it with Vite.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started = Date.now();
// The client types first, from the Console API's document as just built: a renamed field breaks the typecheck.
const generate = spawnSync(process.execPath, [path.join(root, 'tools/scripts/generate-console-client.mjs')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (generate.status !== 0) {
  console.error("build: the web console's client types could not be generated (see above)");
  process.exit(1);
}
const typecheck = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'apps/console-web/tsconfig.json', '--noEmit'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (typecheck.status !== 0) {
  console.error('build: the web console does not type-check (see above)');
  process.exit(1);
}
const vite = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--config', 'apps/console-web/vite.config.mts'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (vite.status !== 0) {
  console.error('build: the web console did not bundle (see above)');
  process.exit(1);
}
console.log(`build: web console bundled to dist/apps/console-web in ${Date.now() - started} ms`);
