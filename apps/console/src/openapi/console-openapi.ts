import { componentSchemas, type JsonSchema, jsonSchemaOf, queryParameters } from '@nomosly/http';
import { CONSOLE_OPERATIONS, type ConsoleOperation, type ErrorStatus } from './console-operations';
import { RESPONSE_SCHEMAS } from './console-schemas';

export const CONSOLE_OPENAPI_PATH = '/api/openapi.json' as const;
export const CONSOLE_DOCS_PATH = '/api/docs' as const;

const ERRORS: Record<ErrorStatus | 503, string> = {
  400: 'invalid_request: malformed JSON, a missing field or a bad parameter; the message names each one.',
  401: 'unauthenticated: no bearer token, or one the identity provider did not sign for this API.',
  403: "insufficient_scope: the caller's role may not do this (owners only, or the key's creator).",
  404: "not_found: no such thing in the caller's workspaces (never 403: existence is not revealed).",
  409: 'conflict: the action conflicts with the current state; the message says how to resolve it.',
  503: 'unavailable: the console cannot reach its data right now; retry after Retry-After seconds.',
};

const PATH_PARAMETERS: Record<string, string> = {
  ws: 'A workspace id.',
  id: 'A key id.',
  invitationId: 'An invitation id.',
  userId: "A member's user id.",
};

const TAGS: Array<{ name: ConsoleOperation['tag']; description: string }> = [
  { name: 'Me', description: 'The signed-in user.' },
  { name: 'Invitations', description: 'Invitations addressed to the signed-in user.' },
  { name: 'Data rights', description: 'Export, deletion and restriction of processing of the signed-in user\'s data.' },
  { name: 'Keys', description: "A workspace's API keys." },
  { name: 'Limits', description: "A workspace's plan limits and spend cap." },
  { name: 'Members', description: "A workspace's members and invitations." },
  { name: 'Usage', description: "A workspace's usage, by UTC day." },
  { name: 'Requests', description: "A workspace's request log." },
  { name: 'Billing', description: 'Plans and invoices, through Polar.' },
  { name: 'Public', description: 'Answered without signing in.' },
];

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const REQUEST_ID = { 'x-request-id': { $ref: '#/components/headers/RequestId' } };

/**
 * The Console API's OpenAPI 3.1 document, built from the same zod schemas the controllers parse requests with
 * and type their answers by: request bodies and query strings as the client sends them (`input`), answers as
 * the server sends them (`output`). The web console's client types are generated from it.
 */
export function consoleOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of CONSOLE_OPERATIONS) {
    paths[operation.path] = { ...paths[operation.path], [operation.method]: operationObject(operation) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'nomosly Console API',
      version: '1.0.0',
      description:
        'What the web console calls: the signed-in user, their workspaces\' keys, limits, members, usage, request log and billing, and their data rights. Bearer tokens from the identity provider.',
    },
    tags: TAGS,
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "An access token from the console's identity provider." },
      },
      headers: {
        RequestId: { description: 'Our id for this request; quote it to support.', schema: { type: 'string' } },
        RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
      },
      schemas: componentSchemas(RESPONSE_SCHEMAS, 'output'),
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([status, description]) => [
          `E${status}`,
          {
            description,
            headers: { ...REQUEST_ID, ...(status === '503' ? { 'retry-after': { $ref: '#/components/headers/RetryAfter' } } : {}) },
            content: { 'application/json': { schema: ref('Error') } },
          },
        ]),
      ),
    },
  };
}

function operationObject(operation: ConsoleOperation): JsonSchema {
  const where = `${operation.method.toUpperCase()} ${operation.path}`;
  const pathParameters = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: PATH_PARAMETERS[name] ?? name,
    schema: { type: 'string' },
  }));
  const parameters = [...pathParameters, ...(operation.query ? queryParameters(operation.query, where) : [])];
  const errors = operation.public ? [] : [...operation.errors, 503 as const];
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(operation.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(operation.body, 'input', where) } } } }
      : {}),
    responses: {
      [operation.success.status]: successResponse(operation.success),
      ...Object.fromEntries(errors.map((status) => [status, { $ref: `#/components/responses/E${status}` }])),
    },
  };
}

function successResponse({ description, json, file }: ConsoleOperation['success']): JsonSchema {
  if (json) return { description, headers: REQUEST_ID, content: { 'application/json': { schema: ref(json) } } };
  if (file) {
    return {
      description,
      headers: { ...REQUEST_ID, 'content-disposition': { description: 'attachment, with a file name.', schema: { type: 'string' } } },
      content: { [file]: { schema: file === 'text/csv' ? { type: 'string' } : { type: 'string', contentMediaType: file } } },
    };
  }
  return { description, headers: REQUEST_ID };
}
