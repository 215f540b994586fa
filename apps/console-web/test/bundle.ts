import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '@nomosly/testing';

export const WEB_CONSOLE_DIST = path.join(REPO_ROOT, 'dist/apps/console-web');

export interface Bundle {
  /** The scripts and stylesheets index.html loads (module preloads among them), as its paths. */
  files: string[];
  rawBytes: number;
  gzipBytes: number;
}

/** What a first page costs over the wire: the JS and CSS the built index.html loads, each gzipped as a server would. */
export function firstPageBundle(dist = WEB_CONSOLE_DIST): Bundle {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]);
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const bytes = readFileSync(path.join(dist, file));
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes, { level: 9 }).length;
  }
  return { files, rawBytes, gzipBytes };
}
