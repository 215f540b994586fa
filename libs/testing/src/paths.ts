import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const FIXTURE_IMAGES = path.join(REPO_ROOT, 'libs/testing/fixtures/images');

export function fixturePath(name: string): string {
  return path.join(FIXTURE_IMAGES, name);
}
