import { Controller, Get, Header, NotFoundException, Param, Res, type Type } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { swaggerUi } from './swagger-ui';

export interface ApiReferenceOptions {
  /** Built once, when the app starts. */
  document: () => Record<string, unknown>;
  /** Where the document is served, e.g. `/openapi.json`. */
  documentPath: `/${string}`;
  /** Where the rendered reference is served, e.g. `/docs`; its files under `${pagePath}/assets/`. */
  pagePath: `/${string}`;
  title: string;
}

/**
 * A controller serving an app's OpenAPI document and its Swagger UI reference, without authentication, from
 * files on this machine (no CDN). Each app makes its own with its document and paths.
 */
export function apiReferenceController({ document, documentPath, pagePath, title }: ApiReferenceOptions): Type {
  const reference = swaggerUi({ documentUrl: documentPath, pagePath, title });

  @Controller()
  class ApiReferenceController {
    private readonly document = document();

    @Get(documentPath)
    openApi(): Record<string, unknown> {
      return this.document;
    }

    @Get(pagePath)
    @Header('content-type', 'text/html; charset=utf-8')
    page(): string {
      return reference.page;
    }

    @Get(`${pagePath}/assets/:file`)
    async asset(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
      const asset = await reference.asset(file);
      if (!asset) throw new NotFoundException();
      reply.header('content-type', asset.type).header('cache-control', 'public, max-age=3600');
      return asset.body;
    }
  }
  return ApiReferenceController;
}
