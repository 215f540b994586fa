import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openApiDocument } from './openapi';

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const JAVASCRIPT = 'application/javascript; charset=utf-8';
/**
 * Starts Swagger UI on the page. A file of its own rather than an inline script, so that the page runs under
 * the Content-Security-Policy every response carries (`script-src 'self'`, no inline script). No validator:
 * the document is never sent to a third party.
 */
const START_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true, validatorUrl: null });\n`;

interface Asset {
  type: string;
  /** The file's bytes: Swagger UI's own, read from swagger-ui-dist, or ours. */
  read: () => Promise<Buffer>;
}

const fromSwaggerUi = (file: string) => () => readFile(path.join(SWAGGER_UI_DIR, file));

/** Every file the page loads, by name. */
const ASSETS: Readonly<Record<string, Asset>> = Object.freeze({
  'swagger-ui.css': { type: 'text/css; charset=utf-8', read: fromSwaggerUi('swagger-ui.css') },
  'swagger-ui-bundle.js': { type: JAVASCRIPT, read: fromSwaggerUi('swagger-ui-bundle.js') },
  'start.js': { type: JAVASCRIPT, read: async () => Buffer.from(START_SCRIPT) },
});

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>nomosly API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="reference"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/start.js"></script>
</body></html>`;

/** `GET /openapi.json` and the rendered reference at `GET /docs`, served from local files (no CDN). */
@Controller()
export class DocsController {
  private readonly document = openApiDocument();

  @Get('openapi.json')
  openApi(): Record<string, unknown> {
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('docs/assets/:file')
  async asset(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!asset) throw new NotFoundException();
    reply.header('content-type', asset.type).header('cache-control', 'public, max-age=3600');
    return asset.read();
  }
}
