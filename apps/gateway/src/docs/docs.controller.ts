import { apiReferenceController } from '@nomosly/http';
import { openApiDocument } from './openapi';

/** `GET /openapi.json` and the rendered reference at `GET /docs`. */
export const DocsController = apiReferenceController({
  document: () => openApiDocument(),
  documentPath: '/openapi.json',
  pagePath: '/docs',
  title: 'nomosly API reference',
});
