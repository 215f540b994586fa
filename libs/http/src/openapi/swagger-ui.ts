import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Where an app serves its API reference: the page at `pagePath`, its files under `${pagePath}/assets/`. */
export interface SwaggerUiOptions {
  /** The OpenAPI document's URL path, e.g. `/openapi.json`. */
  documentUrl: string;
  /** The page's path, e.g. `/docs`. */
  pagePath: string;
  title: string;
}

export interface SwaggerUiAsset {
  type: string;
  body: Buffer;
}

/** The reference page and the files it loads, served from swagger-ui-dist on this machine (no CDN). */
export interface SwaggerUi {
  page: string;
  /** A file the page loads, by name; undefined for any other name. */
  asset(file: string): Promise<SwaggerUiAsset | undefined>;
}

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const JAVASCRIPT = 'application/javascript; charset=utf-8';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/**
 * Swagger UI for one OpenAPI document. The page carries no inline script or style: Swagger UI is started by a
 * file of its own (`start.js`), so the page runs under the Content-Security-Policy every response carries
 * (`script-src 'self'`, `style-src 'self'`). No validator: the document is never sent to a third party.
 */
export function swaggerUi({ documentUrl, pagePath, title }: SwaggerUiOptions): SwaggerUi {
  for (const url of [documentUrl, pagePath]) {
    // Written into a script and an HTML attribute as they are: only plain paths, nothing to escape.
    if (!/^\/[\w./-]*$/.test(url)) throw new Error(`swaggerUi: expected a plain path, got ${url}`);
  }
  const assets = `${pagePath}/assets`;
  const startScript = `window.ui = SwaggerUIBundle({ url: '${documentUrl}', dom_id: '#reference', deepLinking: true, validatorUrl: null });\n`;
  // Read once, on first request: Swagger UI's bundle is over a megabyte.
  const fromSwaggerUi = (file: string) => {
    let bytes: Promise<Buffer> | undefined;
    return () => (bytes ??= readFile(path.join(SWAGGER_UI_DIR, file)));
  };
  const files: Readonly<Record<string, { type: string; read: () => Promise<Buffer> }>> = Object.freeze({
    'swagger-ui.css': { type: 'text/css; charset=utf-8', read: fromSwaggerUi('swagger-ui.css') },
    'swagger-ui-bundle.js': { type: JAVASCRIPT, read: fromSwaggerUi('swagger-ui-bundle.js') },
    'start.js': { type: JAVASCRIPT, read: async () => Buffer.from(startScript) },
  });
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${assets}/swagger-ui.css"></head>
<body><div id="reference"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script src="${assets}/start.js"></script>
</body></html>`;
  return {
    page,
    async asset(file) {
      const found = Object.hasOwn(files, file) ? files[file] : undefined;
      return found ? { type: found.type, body: await found.read() } : undefined;
    },
  };
}
