import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openApiDocument } from './openapi';

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const JAVASCRIPT = 'application/javascript; charset=utf-8';
/** Swagger UI's own files, read from swagger-ui-dist. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': JAVASCRIPT,
};

/**
 * Starts Swagger UI on the page. A file of its own rather than an inline script, so that the page runs under
 * the Content-Security-Policy every response carries (`script-src 'self'`, no inline script). No validator:
 * the document is never sent to a third party.
 */
const START_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true, validatorUrl: null });\n`;

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
    if (file === 'start.js') {
      reply.header('content-type', JAVASCRIPT).header('cache-control', 'public, max-age=3600');
      return Buffer.from(START_SCRIPT);
    }
    const type = ASSETS[file];
    if (!type) throw new NotFoundException();
    reply.header('content-type', type).header('cache-control', 'public, max-age=3600');
    return readFile(path.join(SWAGGER_UI_DIR, file));
  }
}
