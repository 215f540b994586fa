import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import {
  CompareFacesCommand,
  CompareFacesResponse$,
  DetectFacesCommand,
  DetectFacesResponse$,
  DetectLabelsCommand,
  DetectLabelsResponse$,
  DetectTextCommand,
  DetectTextResponse$,
  LandmarkType,
  RekognitionClient,
  TextTypes,
} from '@aws-sdk/client-rekognition';
import { NormalizedSchema } from '@smithy/core/schema';
import type { HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import { createEngine } from '@nomosly/engines';
import { startStandIn } from './server';

const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../../../libs/testing/fixtures/images', name));
const credentials = { accessKeyId: 'AKIDCONTRACTTEST', secretAccessKey: 'contract-test-secret' };

/** Members whose values AWS documents as a closed set; the SDK's schemas carry them as plain strings. */
const ENUMS: Record<string, readonly string[]> = {
  'Landmark.Type': Object.values(LandmarkType),
  'TextDetection.Type': Object.values(TextTypes),
};
/** Members AWS documents as ratios of the image (0..1) or percentages (0..100). */
const RATIOS = new Set(['BoundingBox.Width', 'BoundingBox.Height', 'BoundingBox.Left', 'BoundingBox.Top', 'Landmark.X', 'Landmark.Y', 'Point.X', 'Point.Y']);
const PERCENTS = new Set(['Confidence', 'Similarity', 'Brightness', 'Sharpness', 'Contrast', 'PixelPercent']);
/** Members AWS documents as degrees, -180..180. */
const DEGREES = new Set(['Pose.Roll', 'Pose.Yaw', 'Pose.Pitch']);

/**
 * Every way `value` departs from the SDK's own schema for it: an unknown member, a value of the wrong type,
 * an enum value AWS does not define, a ratio or percentage out of range. Empty when the value conforms.
 */
function violations(value: unknown, schema: NormalizedSchema, where: string): string[] {
  if (value === null || value === undefined) return [];
  if (schema.isStructSchema()) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${where}: expected an object`];
    const members = new Map(schema.structIterator());
    const found: string[] = [];
    for (const [name, member] of Object.entries(value)) {
      const memberSchema = members.get(name);
      if (!memberSchema) {
        found.push(`${where}.${name}: not a member of ${schema.getName()}`);
        continue;
      }
      const qualified = `${schema.getName()}.${name}`;
      found.push(...violations(member, memberSchema, `${where}.${name}`));
      if (ENUMS[qualified] && !ENUMS[qualified].includes(member as string)) found.push(`${where}.${name}: ${String(member)} is not one of AWS's values`);
      if (RATIOS.has(qualified) && !((member as number) >= 0 && (member as number) <= 1)) found.push(`${where}.${name}: ${member} is not a 0..1 ratio`);
      if (PERCENTS.has(name) && !((member as number) >= 0 && (member as number) <= 100)) found.push(`${where}.${name}: ${member} is not a percentage`);
      if (DEGREES.has(qualified) && !((member as number) >= -180 && (member as number) <= 180)) found.push(`${where}.${name}: ${member} is not -180..180 degrees`);
    }
    return found;
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) return [`${where}: expected a list`];
    return value.flatMap((item, i) => violations(item, schema.getValueSchema(), `${where}[${i}]`));
  }
  if (schema.isStringSchema()) return typeof value === 'string' ? [] : [`${where}: expected a string`];
  if (schema.isNumericSchema()) return typeof value === 'number' && Number.isFinite(value) ? [] : [`${where}: expected a number`];
  if (schema.isBooleanSchema()) return typeof value === 'boolean' ? [] : [`${where}: expected a boolean`];
  return [`${where}: a ${schema.getName() ?? 'member'} the stand-in should never send`];
}

type HttpHandler = RequestHandler<HttpRequest, HttpResponse> & {
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): Record<string, unknown>;
};

/** The SDK's own HTTP handler, keeping a copy of each response body as it came over the wire. */
function recordingHandler(inner: HttpHandler): HttpHandler & { bodies: string[] } {
  const bodies: string[] = [];
  const handler = {
    bodies,
    async handle(request: HttpRequest, options?: Record<string, unknown>): Promise<{ response: HttpResponse }> {
      const { response } = await inner.handle(request, options);
      const chunks: Buffer[] = [];
      for await (const chunk of response.body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
      const body = Buffer.concat(chunks);
      bodies.push(body.toString('utf8'));
      response.body = Readable.from([body]);
      return { response };
    },
    updateHttpClientConfig: inner.updateHttpClientConfig.bind(inner),
    httpHandlerConfigs: inner.httpHandlerConfigs.bind(inner),
    destroy: () => inner.destroy?.(),
  };
  return handler as unknown as HttpHandler & { bodies: string[] };
}

describe('rekognition-local answers conform to the SDK\'s own output schemas', () => {
  const engine = createEngine('local');
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  let client: RekognitionClient;
  let recorder: ReturnType<typeof recordingHandler>;

  beforeAll(async () => {
    await engine.start();
    standIn = await startStandIn({ engine, credentials });
    const plain = new RekognitionClient({ region: 'us-east-1', endpoint: standIn.url, credentials });
    recorder = recordingHandler(plain.config.requestHandler as HttpHandler);
    client = new RekognitionClient({ region: 'us-east-1', endpoint: standIn.url, credentials, maxAttempts: 1, requestHandler: recorder });
    // The local engine loads and warms up five models (nanodet and CenterNet among them): over a minute under load.
  }, 180_000);
  afterAll(async () => {
    client?.destroy();
    await standIn?.close();
    await engine.stop();
  });

  /** Sends the command and checks the wire body against the schema; returns the SDK's parsed output too. */
  async function checked(send: (c: RekognitionClient) => Promise<object>, schema: unknown): Promise<Record<string, unknown>> {
    const output = (await send(client)) as Record<string, unknown>;
    const wire = JSON.parse(recorder.bodies.at(-1) ?? 'null') as unknown;
    const normalized = NormalizedSchema.of(schema as Parameters<typeof NormalizedSchema.of>[0]);
    expect(violations(wire, normalized, normalized.getName() ?? 'response')).toEqual([]);
    return output;
  }

  it('DetectFaces, with faces and without', async () => {
    const out = await checked((c) => c.send(new DetectFacesCommand({ Image: { Bytes: fixture('astronaut.png') }, Attributes: ['DEFAULT'] })), DetectFacesResponse$);
    expect(out.FaceDetails).toHaveLength(1);
    // What AWS's DEFAULT attributes always carry.
    const [face] = out.FaceDetails as Record<string, unknown>[];
    expect(Object.keys(face).sort()).toEqual(['BoundingBox', 'Confidence', 'Landmarks', 'Pose', 'Quality']);
    expect(Object.keys(face.Pose as object).sort()).toEqual(['Pitch', 'Roll', 'Yaw']);
    expect(Object.keys(face.Quality as object).sort()).toEqual(['Brightness', 'Sharpness']);
    await checked((c) => c.send(new DetectFacesCommand({ Image: { Bytes: fixture('coffee.png') } })), DetectFacesResponse$);
  });

  it('CompareFaces, with a match and with unmatched faces', async () => {
    const source = fixture('grace_hopper.jpg');
    const mirrored = await sharp(source).flop().jpeg().toBuffer();
    const out = await checked((c) => c.send(new CompareFacesCommand({ SourceImage: { Bytes: source }, TargetImage: { Bytes: mirrored } })),
      CompareFacesResponse$,
    );
    expect(out.FaceMatches).toHaveLength(1);
    const other = await checked((c) => c.send(new CompareFacesCommand({ SourceImage: { Bytes: source }, TargetImage: { Bytes: fixture('astronaut.png') }, SimilarityThreshold: 80 })),
      CompareFacesResponse$,
    );
    expect(other.UnmatchedFaces).toHaveLength(1);
  });

  it('DetectLabels, with instances', async () => {
    const out = await checked((c) => c.send(new DetectLabelsCommand({ Image: { Bytes: fixture('astronaut.png') }, MaxLabels: 10, MinConfidence: 0 })), DetectLabelsResponse$);
    expect((out.Labels as unknown[]).length).toBeGreaterThan(0);
    for (const label of out.Labels as Record<string, unknown>[]) {
      expect(Object.keys(label).sort()).toEqual(['Aliases', 'Categories', 'Confidence', 'Instances', 'Name', 'Parents']);
    }
    expect(out.ImageProperties).toBeUndefined();
  });

  it('DetectLabels with IMAGE_PROPERTIES, and a feature AWS does not know refused as AWS does', async () => {
    const out = await checked(
      (c) => c.send(new DetectLabelsCommand({ Image: { Bytes: fixture('coffee.png') }, Features: ['GENERAL_LABELS', 'IMAGE_PROPERTIES'] })),
      DetectLabelsResponse$,
    );
    const properties = out.ImageProperties as { Quality: object; DominantColors: Record<string, unknown>[] };
    expect(Object.keys(properties.Quality).sort()).toEqual(['Brightness', 'Contrast', 'Sharpness']);
    expect(properties.DominantColors.length).toBeGreaterThan(0);
    expect(Object.keys(properties.DominantColors[0]).sort()).toEqual(['Blue', 'CSSColor', 'Green', 'HexCode', 'PixelPercent', 'Red', 'SimplifiedColor']);
    expect((out.Labels as { Name: string }[]).map((l) => l.Name)).toContain('Cup');
    const propertiesOnly = await checked(
      (c) => c.send(new DetectLabelsCommand({ Image: { Bytes: fixture('coffee.png') }, Features: ['IMAGE_PROPERTIES'] })),
      DetectLabelsResponse$,
    );
    expect(propertiesOnly.Labels).toEqual([]);
    await expect(
      client.send(new DetectLabelsCommand({ Image: { Bytes: fixture('coffee.png') }, Features: ['FACES' as 'GENERAL_LABELS'] })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('DetectText, lines and words', async () => {
    const out = await checked((c) => c.send(new DetectTextCommand({ Image: { Bytes: fixture('printed_text.png') } })), DetectTextResponse$);
    expect((out.TextDetections as unknown[]).length).toBeGreaterThan(2);
  });

  it('the check itself catches what the SDK would silently drop', () => {
    const schema = NormalizedSchema.of(DetectFacesResponse$ as Parameters<typeof NormalizedSchema.of>[0]);
    expect(violations({ FaceDetails: [{ Confidence: 99, BoundingBox: { Width: 0.2 } }] }, schema, 'r')).toEqual([]);
    expect(violations({ FaceDetails: [{ Confidance: 99 }] }, schema, 'r')).toEqual(['r.FaceDetails[0].Confidance: not a member of FaceDetail']);
    expect(violations({ FaceDetails: [{ BoundingBox: { Width: '0.2' } }] }, schema, 'r')).toEqual(['r.FaceDetails[0].BoundingBox.Width: expected a number']);
    expect(violations({ FaceDetails: [{ BoundingBox: { Left: 1.5 } }] }, schema, 'r')).toEqual(['r.FaceDetails[0].BoundingBox.Left: 1.5 is not a 0..1 ratio']);
    expect(violations({ FaceDetails: [{ Landmarks: [{ Type: 'leftEye' }] }] }, schema, 'r')).toEqual([
      "r.FaceDetails[0].Landmarks[0].Type: leftEye is not one of AWS's values",
    ]);
  });
});
