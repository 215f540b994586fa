import { apiReferenceController } from '@nomosly/http';
import { CONSOLE_DOCS_PATH, CONSOLE_OPENAPI_PATH, consoleOpenApiDocument } from './console-openapi';

/** `GET /api/openapi.json` and its rendered reference at `GET /api/docs`, without authentication. */
export const ConsoleDocsController = apiReferenceController({
  document: consoleOpenApiDocument,
  documentPath: CONSOLE_OPENAPI_PATH,
  pagePath: CONSOLE_DOCS_PATH,
  title: 'nomosly Console API reference',
});
