import { Controller, Get, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type WebAsset, WebAssets } from './web-assets';

/** The web console's page paths (CONSOLE.md): each answers with index.html and the app routes in the browser. */
export const WEB_CONSOLE_PAGES = ['overview', 'keys', 'usage', 'requests', 'billing', 'members', 'playground', 'settings', 'privacy', 'callback'] as const;

const PAGE_NOT_BUILT = 'The web console is not built on this server; run `npm run build`. The Console API under /api works without it.';

/**
 * Serves the single-page app: `index.html` for `/` and every page path (never cached, so a deploy is seen at
 * once), and the content-hashed files under `/assets/` cached for a year as immutable.
 */
@Controller()
export class WebController {
  constructor(@Inject(WebAssets) private readonly web: WebAssets) {}

  @Get(['', ...WEB_CONSOLE_PAGES])
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    if (!this.web.index) throw new NotFoundException(PAGE_NOT_BUILT);
    send(request, reply, this.web.index, 'no-cache');
  }

  /**
   * Any other path is a page the app does not have (`/foo`, `/keys/extra`): index.html, so the app shows its
   * not-found page with the navigation. Not under `/api` (an unknown API path keeps API.md's JSON 404) nor
   * `/assets` (a file not deployed stays a 404, never a page a script tag would try to run).
   */
  @Get('*')
  unknownPage(@Param('*') matched: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    // The path as the router matched it (decoded), not the request line's spelling of it: `/%61pi/x` is under /api.
    const pathname = `/${matched}`;
    if (/^\/api(\/|$)/.test(pathname)) throw new NotFoundException(`The Console API has no ${request.method} ${pathname}; its paths are listed at /api/docs.`);
    if (/^\/assets(\/|$)/.test(pathname)) throw new NotFoundException('No such file.');
    this.page(request, reply);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const asset = this.web.asset(file);
    if (!asset) throw new NotFoundException('No such file.');
    send(request, reply, asset, 'public, max-age=31536000, immutable');
  }
}

/** Caching is said only on a file served: a 404 for a name not (yet) deployed must not be kept for a year. */
function send(request: FastifyRequest, reply: FastifyReply, asset: WebAsset, cacheControl: string): void {
  reply.header('cache-control', cacheControl).header('content-type', asset.type).header('etag', asset.etag).header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === asset.etag) {
    void reply.code(304).send();
    return;
  }
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (asset.gzipped && acceptsGzip) {
    void reply.header('content-encoding', 'gzip').send(asset.gzipped);
    return;
  }
  void reply.send(asset.body);
}
