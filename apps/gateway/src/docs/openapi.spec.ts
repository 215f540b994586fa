import { z } from 'zod';
import { OPERATIONS, PARAMS_SCHEMAS, RESULT_SCHEMAS } from '@nomosly/contracts';
import { openApiDocument } from './openapi';

interface Document {
  paths: Record<string, { post: { parameters: Array<{ name: string; schema: { default?: unknown } }>; responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> } }>;
  components: { schemas: Record<string, z.core.JSONSchema.JSONSchema> };
}

const document = openApiDocument() as unknown as Document;
const defs = JSON.parse(JSON.stringify(document.components.schemas).replaceAll('#/components/schemas/', '#/$defs/')) as Record<string, z.core.JSONSchema.JSONSchema>;
const documentedSchema = (ref: string) => z.fromJSONSchema({ $defs: defs, $ref: ref.replace('#/components/schemas/', '#/$defs/') });

const box = { left: 0.1, top: 0.2, width: 0.3, height: 0.4 };
/** A result of each operation as an engine gives it, before the gateway checks it with the contract's schema. */
const ENGINE_RESULTS: Record<string, unknown> = {
  'faces.detect': {
    faces: [
      {
        boundingBox: box,
        confidence: 99.5,
        landmarks: [{ type: 'eyeLeft', x: 0.2, y: 0.3 }],
        pose: { roll: -3.5, yaw: 12, pitch: 4 },
        quality: { brightness: 61, sharpness: 88 },
      },
    ],
  },
  'faces.compare': { sourceFace: { boundingBox: box, confidence: 99 }, matches: [{ similarity: 97, face: { boundingBox: box, confidence: 98 } }], unmatchedFaces: [] },
  'labels.detect': {
    labels: [
      { name: 'Cat', confidence: 90, instances: [{ boundingBox: box, confidence: 88 }], parents: [{ name: 'Pet' }, { name: 'Animal' }], categories: [{ name: 'Animals and Pets' }] },
      { name: 'Animal', confidence: 90, instances: [], parents: [], categories: [{ name: 'Animals and Pets' }] },
    ],
    imageProperties: { dominantColors: [{ hex: '#1E90FF', name: 'blue', pixelPercent: 42.5 }], quality: { brightness: 55, sharpness: 70, contrast: 40 } },
  },
  'text.detect': { text: [{ type: 'LINE', text: 'nomosly', confidence: 95, boundingBox: box }] },
};

describe("the gateway's OpenAPI document, from the contracts' zod schemas", () => {
  it.each(OPERATIONS)('%s: a 200 body as the gateway sends it is what the document describes, and a field more is not', (operation) => {
    const path = Object.keys(document.paths).find((candidate) => document.paths[candidate].post.responses['200'] && candidate.endsWith(operation.replace('.', '/')));
    expect(path).toBeDefined();
    const schema = documentedSchema(document.paths[path as string].post.responses['200'].content?.['application/json'].schema.$ref ?? '');
    const sent = { ...RESULT_SCHEMAS[operation].parse(ENGINE_RESULTS[operation]), requestId: 'req-1', operation, units: 1 };
    expect(schema.safeParse(sent).error?.issues).toBeUndefined();
    expect(schema.safeParse({ ...sent, extra: true }).success).toBe(false);
    expect(schema.safeParse({ ...sent, units: 0 }).success).toBe(false);
  });

  it("documents each parameter's default as the one the gateway applies when it is left out", () => {
    for (const operation of OPERATIONS) {
      const path = Object.keys(document.paths).find((candidate) => candidate.endsWith(operation.replace('.', '/'))) as string;
      const documented = Object.fromEntries(document.paths[path].post.parameters.map((parameter) => [parameter.name, parameter.schema.default]));
      expect({ operation, defaults: documented }).toEqual({ operation, defaults: PARAMS_SCHEMAS[operation].parse({}) });
    }
  });
});
