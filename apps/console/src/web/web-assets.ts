import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface WebAsset {
  body: Buffer;
  /** The same bytes gzipped, when that is smaller. */
  gzipped?: Buffer;
  type: string;
  etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where `npm run build` puts the web console: dist/apps/console-web, found from this file in dist/ or in the sources. */
export function defaultWebConsoleDir(): string {
  const parts = __dirname.split(path.sep);
  const dist = parts.lastIndexOf('dist');
  const distRoot = dist >= 0 ? parts.slice(0, dist + 1).join(path.sep) : path.resolve(__dirname, '../../../../dist');
  return path.join(distRoot, 'apps/console-web');
}

/**
 * The built web console, read once at start into memory (a few hundred KB): `index.html` and the hashed
 * files under `assets/`. Nothing is read from disk per request, and no request path ever reaches the file
 * system: a name either is a key of this map or is not served.
 */
export class WebAssets {
  private readonly logger = new Logger(WebAssets.name);
  readonly index: WebAsset | null;
  private readonly assets = new Map<string, WebAsset>();

  constructor(dir: string) {
    const indexFile = path.join(dir, 'index.html');
    if (!existsSync(indexFile)) {
      this.index = null;
      this.logger.warn({ dir }, 'the web console is not built (no index.html): the API is served, the pages are not; run `npm run build`');
      return;
    }
    this.index = asset(readFileSync(indexFile), '.html');
    const assetsDir = path.join(dir, 'assets');
    if (existsSync(assetsDir)) {
      for (const name of readdirSync(assetsDir)) {
        this.assets.set(name, asset(readFileSync(path.join(assetsDir, name)), path.extname(name)));
      }
    }
  }

  asset(name: string): WebAsset | undefined {
    return this.assets.get(name);
  }
}

function asset(body: Buffer, extension: string): WebAsset {
  const type = TYPES[extension] ?? 'application/octet-stream';
  const compressible = /^(text\/|application\/json|image\/svg)/.test(type);
  const gzipped = compressible ? gzipSync(body, { level: 9 }) : undefined;
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, type, etag, ...(gzipped && gzipped.length < body.length ? { gzipped } : {}) };
}
