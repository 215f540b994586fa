import { IMAGE_LIMITS, OPERATIONS, OPERATION_SPECS, type Operation } from '@nomosly/contracts';

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
      schemas: SCHEMAS,
      responses: ERROR_RESPONSES,
    },
  };
}

const ratio = { type: 'number', minimum: 0, maximum: 1 };
const percent = { type: 'number', minimum: 0, maximum: 100 };
const base64Image = {
  type: 'string',
  contentEncoding: 'base64',
  description: `A JPEG or PNG, at most ${IMAGE_LIMITS.maxBytes} bytes decoded, ${IMAGE_LIMITS.minSide} to ${IMAGE_LIMITS.maxSide} px a side.`,
};
const binaryImage = { type: 'string', contentMediaType: 'image/*', description: base64Image.description };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const SCHEMAS = {
  BoundingBox: {
    type: 'object',
    description: 'Ratios of the image width and height.',
    required: ['left', 'top', 'width', 'height'],
    properties: { left: ratio, top: ratio, width: ratio, height: ratio },
  },
  Face: {
    type: 'object',
    required: ['boundingBox', 'confidence'],
    properties: { boundingBox: ref('BoundingBox'), confidence: percent },
  },
  DetectedFace: {
    type: 'object',
    required: ['boundingBox', 'confidence', 'landmarks'],
    properties: {
      boundingBox: ref('BoundingBox'),
      confidence: percent,
      landmarks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'x', 'y'],
          properties: { type: { type: 'string', examples: ['eyeLeft'] }, x: ratio, y: ratio },
        },
      },
    },
  },
  CallInfo: {
    type: 'object',
    required: ['requestId', 'operation', 'units'],
    properties: { requestId: { type: 'string' }, operation: { type: 'string' }, units: { type: 'integer', minimum: 1 } },
  },
  FacesDetectResponse: {
    allOf: [
      ref('CallInfo'),
      { type: 'object', required: ['faces'], properties: { faces: { type: 'array', items: ref('DetectedFace') } } },
    ],
  },
  FacesCompareResponse: {
    allOf: [
      ref('CallInfo'),
      {
        type: 'object',
        required: ['sourceFace', 'matches', 'unmatchedFaces'],
        properties: {
          sourceFace: { oneOf: [ref('Face'), { type: 'null' }] },
          matches: {
            type: 'array',
            items: { type: 'object', required: ['similarity', 'face'], properties: { similarity: percent, face: ref('Face') } },
          },
          unmatchedFaces: { type: 'array', items: ref('Face') },
        },
      },
    ],
  },
  LabelsDetectResponse: {
    allOf: [
      ref('CallInfo'),
      {
        type: 'object',
        required: ['labels'],
        properties: {
          labels: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'confidence', 'instances'],
              properties: {
                name: { type: 'string', examples: ['Person'] },
                confidence: percent,
                instances: {
                  type: 'array',
                  items: { type: 'object', required: ['boundingBox', 'confidence'], properties: { boundingBox: ref('BoundingBox'), confidence: percent } },
                },
              },
            },
          },
        },
      },
    ],
  },
  TextDetectResponse: {
    allOf: [
      ref('CallInfo'),
      {
        type: 'object',
        required: ['text'],
        properties: {
          text: {
            type: 'array',
            items: {
              type: 'object',
              required: ['type', 'text', 'confidence', 'boundingBox'],
              properties: { type: { enum: ['LINE', 'WORD'] }, text: { type: 'string' }, confidence: percent, boundingBox: ref('BoundingBox') },
            },
          },
        },
      },
    ],
  },
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'requestId'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
      },
    },
  },
};

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

const TITLES: Record<Operation, [string, string]> = {
  'faces.detect': ['Detect faces', 'FacesDetectResponse'],
  'faces.compare': ['Compare the largest face of source with every face of target', 'FacesCompareResponse'],
  'labels.detect': ['Detect objects and labels', 'LabelsDetectResponse'],
  'text.detect': ['Detect printed text', 'TextDetectResponse'],
};

const PARAMETERS: Record<Operation, Record<string, unknown>> = {
  'faces.detect': {},
  'faces.compare': { similarityThreshold: { ...percent, default: 80 } },
  'labels.detect': { maxLabels: { type: 'integer', minimum: 1, maximum: 1000, default: 20 }, minConfidence: { ...percent, default: 50 } },
  'text.detect': {},
};

function operationObject(operation: Operation): Record<string, unknown> {
  const spec = OPERATION_SPECS[operation];
  const [summary, responseSchema] = TITLES[operation];
  const params = PARAMETERS[operation];
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
