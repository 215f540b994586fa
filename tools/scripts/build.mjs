#!/usr/bin/env node
// Compiles every app and lib from TypeScript to CommonJS under dist/, mirroring the source tree.
// SWC emits decorator metadata (Nest DI, MikroORM) and rewrites @nomosly/* imports to relative paths,
// so the output runs with plain `node`. Type checking is `npm run typecheck`.
import { transformFile } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'dist');
const sourceRoots = ['apps', 'libs', 'bench', 'tools/rekognition-local', 'tools/idp-local', 'tools/polar-local'];
const webConsoleRoot = path.join(root, 'apps/console-web');
const { compilerOptions } = JSON.parse(await (await import('node:fs/promises')).readFile(path.join(root, 'tsconfig.base.json'), 'utf8'));

async function* typescriptFiles(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // The web console is a browser bundle, built by Vite below, not CommonJS for node.
      if (entry.name !== 'node_modules' && entry.name !== 'fixtures' && full !== webConsoleRoot) yield* typescriptFiles(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield full;
    }
  }
}

const started = Date.now();
await rm(outDir, { recursive: true, force: true });
let count = 0;
const jobs = [];
for (const sourceRoot of sourceRoots) {
  for await (const file of typescriptFiles(path.join(root, sourceRoot))) {
    if (/[\\/]test[\\/]/.test(path.relative(root, file))) continue;
    jobs.push(
      (async () => {
        const output = await transformFile(file, {
          cwd: root,
          sourceMaps: 'inline',
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
            keepClassNames: true,
            baseUrl: root,
            paths: compilerOptions.paths,
          },
          module: { type: 'commonjs' },
        });
        const target = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, output.code);
        count++;
      })(),
    );
  }
}
await Promise.all(jobs);
console.log(`build: ${count} files compiled to dist/ in ${Date.now() - started} ms`);
// dist/ was emptied above, so the web console is built again with it (into dist/apps/console-web).
const web = spawnSync(process.execPath, [path.join(root, 'tools/scripts/build-console-web.mjs')], { cwd: root, stdio: 'inherit' });
if (web.status !== 0) process.exit(1);
await writeFile(path.join(outDir, '.built'), new Date().toISOString());
