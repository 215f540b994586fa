import { z } from 'zod';
import {
  IMAGE_LIMITS,
  OPERATIONS,
  OPERATION_SPECS,
  type Operation,
  PARAMS_SCHEMAS,
  RESULT_SCHEMAS,
  boundingBoxSchema,
  detectedFaceSchema,
  faceSchema,
  landmarkSchema,
} from '@nomosly/contracts';
import { type JsonSchema, componentSchemas, errorBodySchema, jsonSchemaOf } from '@nomosly/http';

/** The OpenAPI 3.1 document of API.md's public REST contract, built from the same operation table as the routes. */
export function openApiDocument(serverUrl?: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'nomosly API',
      version: '1.0.0',
      description:
        'Face detect, face compare, label detect and text detect. Images are processed in flight and never stored.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths: Object.fromEntries(OPERATIONS.map((operation) => [OPERATION_SPECS[operation].path, { post: operationObject(operation) }])),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: nk_live_ followed by 32 base62 characters.' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      headers: {
        RequestId: { description: 'Our id for this request; quote it to support.', schema: { type: 'string' } },
        RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
        RateLimitLimit: { description: 'The limit of the policy closest to refusing (per-key rate, daily limit or monthly quota).', schema: { type: 'integer' } },
        RateLimitRemaining: { description: 'What that policy has left.', schema: { type: 'integer' } },
        RateLimitReset: { description: 'Seconds until that policy starts afresh.', schema: { type: 'integer' } },
      },
      schemas: componentsFromContracts(),
      responses: ERROR_RESPONSES,
    },
  };
}

const base64Image = {
  type: 'string',
  contentEncoding: 'base64',
  description: `A JPEG or PNG, at most ${IMAGE_LIMITS.maxBytes} bytes decoded, ${IMAGE_LIMITS.minSide} to ${IMAGE_LIMITS.maxSide} px a side.`,
};
const binaryImage = { type: 'string', contentMediaType: 'image/*', description: base64Image.description };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** What every 200 body carries beside the operation's result. */
const callInfoShape = {
  requestId: z.string(),
  operation: z.enum(OPERATIONS as [Operation, ...Operation[]]),
  units: z.number().int().min(1),
};

const TITLES: Record<Operation, [string, string]> = {
  'faces.detect': ['Detect faces', 'FacesDetectResponse'],
  'faces.compare': ['Compare the largest face of source with every face of target', 'FacesCompareResponse'],
  'labels.detect': ['Detect objects and labels', 'LabelsDetectResponse'],
  'text.detect': ['Detect printed text', 'TextDetectResponse'],
};

/**
 * The component schemas, from the zod schemas the gateway checks every result with before answering (so a
 * field the engines add is not sent until it is in the contract, and then it is in this document too).
 */
function componentsFromContracts(): Record<string, JsonSchema> {
  const responses = Object.fromEntries(OPERATIONS.map((operation) => [TITLES[operation][1], RESULT_SCHEMAS[operation].extend(callInfoShape)]));
  const schemas = componentSchemas(
    { BoundingBox: boundingBoxSchema, Landmark: landmarkSchema, Face: faceSchema, DetectedFace: detectedFaceSchema, ...responses, Error: errorBodySchema },
    'output',
  );
  return { ...schemas, BoundingBox: { description: 'Ratios of the image width and height.', ...schemas.BoundingBox } };
}

const ERRORS: Array<[string, string, string]> = [
  ['400', 'invalid_request, invalid_image', 'Malformed JSON, a missing field, a bad parameter, or bytes that are not a decodable JPEG/PNG of at least 80 x 80.'],
  ['401', 'unauthenticated', 'The key is missing, unknown, revoked or expired.'],
  ['402', 'spend_cap_reached', "The workspace's monthly spend cap would be exceeded."],
  [
    '403',
    'insufficient_scope, restricted',
    "insufficient_scope: the key lacks the operation's scope. restricted: the workspace owner has restricted processing of their data; refused before the limits, so without RateLimit-* headers, and not billed.",
  ],
  ['408', 'request_timeout', 'The request body arrived too slowly: under UPLOAD_MIN_BYTES_PER_SECOND (64 KiB/s) over a second after the first, or not whole within UPLOAD_TIMEOUT_MS (45 s). Not billed.'],
  ['413', 'image_too_large', 'Over 5 MiB decoded, or over 4096 px on a side.'],
  ['415', 'unsupported_media_type', 'Any other content type or image format.'],
  ['429', 'rate_limited', "Per-key rate or daily limit, the workspace's rate or calls in progress, or plan quota. Retry-After is set."],
  ['500', 'internal', 'An unexpected failure on our side (an engine that failed on this image). Not billed.'],
  ['503', 'unavailable', 'No worker capacity, queue down or engine unavailable. Retry-After is set.'],
  ['504', 'timeout', 'The job did not finish within the request deadline (default 30 s).'],
];

/** Sent on every response to an authenticated key (not when the limits could not be checked). */
const RATE_LIMIT_HEADERS = {
  'ratelimit-limit': { $ref: '#/components/headers/RateLimitLimit' },
  'ratelimit-remaining': { $ref: '#/components/headers/RateLimitRemaining' },
  'ratelimit-reset': { $ref: '#/components/headers/RateLimitReset' },
};
/** Answers given before the key is known, or when the limits could not be checked (503), carry no RateLimit-* headers. */
const BEFORE_LIMITS = new Set(['401', '503']);

const ERROR_RESPONSES = Object.fromEntries(
  ERRORS.map(([status, codes, when]) => [
    `E${status}`,
    {
      description: `${codes}: ${when}`,
      headers: {
        'x-request-id': { $ref: '#/components/headers/RequestId' },
        ...(status === '429' || status === '503' ? { 'retry-after': { $ref: '#/components/headers/RetryAfter' } } : {}),
        ...(BEFORE_LIMITS.has(status) ? {} : RATE_LIMIT_HEADERS),
      },
      content: { 'application/json': { schema: ref('Error') } },
    },
  ]),
);

function operationObject(operation: Operation): Record<string, unknown> {
  const spec = OPERATION_SPECS[operation];
  const [summary, responseSchema] = TITLES[operation];
  const params = (jsonSchemaOf(PARAMS_SCHEMAS[operation], 'input', operation).properties ?? {}) as Record<string, JsonSchema>;
  const imageProperties = (schema: object) => Object.fromEntries(spec.imageFields.map((field) => [field, schema]));
  const content: Record<string, unknown> = {
    'multipart/form-data': {
      schema: { type: 'object', required: spec.imageFields, properties: { ...imageProperties(binaryImage), ...params } },
    },
    'application/json': {
      schema: { type: 'object', required: spec.imageFields, properties: { ...imageProperties(base64Image), ...params } },
    },
  };
  if (spec.imageFields.length === 1) {
    content['image/jpeg'] = { schema: binaryImage };
    content['image/png'] = { schema: binaryImage };
  }
  return {
    operationId: operation.replace('.', '_'),
    summary,
    description: `Scope \`${spec.scope}\`; ${spec.units} unit per call.`,
    parameters: Object.entries(params).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    requestBody: { required: true, content },
    responses: {
      '200': {
        description: 'The result.',
        headers: { 'x-request-id': { $ref: '#/components/headers/RequestId' }, ...RATE_LIMIT_HEADERS },
        content: { 'application/json': { schema: ref(responseSchema) } },
      },
      ...Object.fromEntries(ERRORS.map(([status]) => [status, { $ref: `#/components/responses/E${status}` }])),
    },
  };
}
