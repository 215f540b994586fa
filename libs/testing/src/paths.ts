import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root, from the sources (libs/testing/src) or from the build (dist/libs/testing/src). */
export const REPO_ROOT = findRoot(__dirname);
export const FIXTURE_IMAGES = path.join(REPO_ROOT, 'libs/testing/fixtures/images');

export function fixturePath(name: string): string {
  return path.join(FIXTURE_IMAGES, name);
}

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${start}`);
    dir = parent;
  }
  return dir;
}
