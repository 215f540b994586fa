// Decides whether dist/ is older than any TypeScript source, and rebuilds it when it is.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// TypeScript, and the web console's TSX, CSS, HTML and Vite config.
const SOURCE_FILE = /\.(ts|tsx|mts|css|html)$/;

function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (SOURCE_FILE.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export async function buildIfStale(root) {
  let builtAt = 0;
  try {
    builtAt = statSync(path.join(root, 'dist', '.built')).mtimeMs;
  } catch {
    builtAt = 0;
  }
  const sourcesAt = Math.max(...['apps', 'libs', 'bench', 'tools'].map((dir) => newestMtime(path.join(root, dir))));
  if (sourcesAt <= builtAt) return;
  // Build output goes to stderr: stdout belongs to the command that asked (npm start prints its app lines there).
  const result = spawnSync(process.execPath, [path.join(root, 'tools/scripts/build.mjs')], { stdio: ['ignore', 2, 2], cwd: root });
  if (result.status !== 0) throw new Error('build failed');
}
