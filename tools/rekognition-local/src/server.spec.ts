import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import {
  CompareFacesCommand,
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectTextCommand,
  ImageTooLargeException,
  InvalidImageFormatException,
  InvalidParameterException,
  RekognitionClient,
  RekognitionServiceException,
} from '@aws-sdk/client-rekognition';
import { DEADLINE_MARGIN_MS, EngineUnavailableError, RekognitionEngine, createEngine } from '@nomosly/engines';
import { inspectImage } from '@nomosly/images';
import { AwsError } from './operations';
import { startStandIn } from './server';

const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../../../libs/testing/fixtures/images', name));
const credentials = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' };

/** Every field path of a value (array items as []), to compare the shapes two engines answer with. */
function fieldPaths(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => fieldPaths(item, `${at}[]`)))].sort();
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, member]) => [`${at}.${key}`, ...fieldPaths(member, `${at}.${key}`)]).sort();
  return [];
}

/** The real AWS SDK, pointed at the stand-in by `endpoint`: signing, serialisation and exception classes as in production. */
describe('rekognition-local through @aws-sdk/client-rekognition', () => {
  const engine = createEngine('local');
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  let client: RekognitionClient;

  beforeAll(async () => {
    await engine.start();
    standIn = await startStandIn({ engine, credentials });
    client = new RekognitionClient({ region: 'us-east-1', endpoint: standIn.url, credentials, maxAttempts: 1 });
    // The local engine loads and warms up five models (nanodet and CenterNet among them): over a minute under load.
  }, 180_000);
  afterAll(async () => {
    client?.destroy();
    await standIn?.close();
    await engine.stop();
  });

  it('DetectFaces answers with AWS field names: one face on a portrait', async () => {
    const out = await client.send(new DetectFacesCommand({ Image: { Bytes: fixture('grace_hopper.jpg') }, Attributes: ['DEFAULT'] }));
    expect(out.FaceDetails).toHaveLength(1);
    const face = out.FaceDetails?.[0];
    expect(face?.Confidence).toBeGreaterThan(50);
    for (const value of Object.values(face?.BoundingBox ?? {})) expect(value).toBeGreaterThanOrEqual(0);
    expect(face?.Landmarks?.map((l) => l.Type).sort()).toEqual(['eyeLeft', 'eyeRight', 'mouthLeft', 'mouthRight', 'nose']);
  });

  it('CompareFaces matches the same person and raises InvalidParameterException when the source has no face', async () => {
    const source = fixture('grace_hopper.jpg');
    const target = await sharp(source).flop().jpeg().toBuffer();
    const out = await client.send(new CompareFacesCommand({ SourceImage: { Bytes: source }, TargetImage: { Bytes: target }, SimilarityThreshold: 80 }));
    expect(out.FaceMatches?.[0]?.Similarity).toBeGreaterThanOrEqual(90);
    expect(out.SourceImageFace?.BoundingBox?.Width).toBeGreaterThan(0);
    await expect(
      client.send(new CompareFacesCommand({ SourceImage: { Bytes: fixture('coffee.png') }, TargetImage: { Bytes: source } })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('DetectLabels and DetectText answer in AWS shapes', async () => {
    const labels = await client.send(new DetectLabelsCommand({ Image: { Bytes: fixture('astronaut.png') }, MaxLabels: 5, MinConfidence: 50 }));
    expect(labels.Labels?.map((l) => l.Name)).toContain('Person');
    const text = await client.send(new DetectTextCommand({ Image: { Bytes: fixture('printed_text.png') } }));
    const lines = text.TextDetections?.filter((t) => t.Type === 'LINE').map((t) => t.DetectedText);
    expect(lines).toContain('Privacy first vision API');
    const word = text.TextDetections?.find((t) => t.Type === 'WORD');
    expect(word?.ParentId).toBeDefined();
    expect(word?.Geometry?.Polygon).toHaveLength(4);
  });

  it('the rekognition engine, through the stand-in, answers with the local engine\'s very fields and values', async () => {
    const rekognition = new RekognitionEngine({ region: 'us-east-1', endpoint: standIn.url, credentials });
    await rekognition.start();
    try {
      const portrait = await inspectImage(fixture('grace_hopper.jpg'));
      const faces = await rekognition.detectFaces(portrait);
      expect(fieldPaths(faces)).toEqual(fieldPaths(await engine.detectFaces(portrait)));
      expect(faces).toEqual(await engine.detectFaces(portrait));
      expect(faces.faces[0].pose).toBeDefined();

      const params = { maxLabels: 30, minConfidence: 50, features: ['GENERAL_LABELS', 'IMAGE_PROPERTIES'] as ('GENERAL_LABELS' | 'IMAGE_PROPERTIES')[] };
      const labels = await rekognition.detectLabels(portrait, params);
      expect(fieldPaths(labels)).toEqual(fieldPaths(await engine.detectLabels(portrait, params)));
      expect(labels).toEqual(await engine.detectLabels(portrait, params));
      expect(labels.imageProperties?.dominantColors.length).toBeGreaterThan(0);
      expect(labels.labels.some((l) => l.parents.length > 0)).toBe(true);
    } finally {
      await rekognition.stop();
    }
  });

  it('applies AWS input limits with the SDK exception classes', async () => {
    await expect(client.send(new DetectFacesCommand({ Image: { Bytes: Buffer.from('not an image at all') } }))).rejects.toBeInstanceOf(
      InvalidImageFormatException,
    );
    const gif = await sharp(fixture('astronaut.png')).gif().toBuffer();
    await expect(client.send(new DetectFacesCommand({ Image: { Bytes: gif } }))).rejects.toBeInstanceOf(InvalidImageFormatException);
    const tooLarge = Buffer.concat([fixture('astronaut.png'), Buffer.alloc(5 * 1024 * 1024)]);
    await expect(client.send(new DetectFacesCommand({ Image: { Bytes: tooLarge } }))).rejects.toBeInstanceOf(ImageTooLargeException);
    const tiny = await sharp(fixture('astronaut.png')).resize(60, 60).png().toBuffer();
    await expect(client.send(new DetectFacesCommand({ Image: { Bytes: tiny } }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('verifies the SigV4 signature: a wrong secret or an unknown key is refused', async () => {
    for (const wrong of [
      { accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
      { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: credentials.secretAccessKey },
    ]) {
      const impostor = new RekognitionClient({ region: 'us-east-1', endpoint: standIn.url, credentials: wrong, maxAttempts: 1 });
      const error = await impostor.send(new DetectFacesCommand({ Image: { Bytes: fixture('grace_hopper.jpg') } })).catch((e: unknown) => e);
      impostor.destroy();
      expect(error).toBeInstanceOf(RekognitionServiceException);
      expect((error as { name: string }).name).toMatch(/InvalidSignatureException|UnrecognizedClientException/);
    }
  });

  it('the rekognition engine retries throttling with backoff, then reports the engine unavailable', async () => {
    let throttled = 0;
    let throttleNext = 2;
    const flaky = await startStandIn({
      engine,
      credentials,
      fault: () => {
        if (throttleNext <= 0) return undefined;
        throttleNext--;
        throttled++;
        return new AwsError('ThrottlingException', 'Rate exceeded');
      },
    });
    const rekognition = new RekognitionEngine({ region: 'us-east-1', endpoint: flaky.url, credentials, maxAttempts: 4 });
    await rekognition.start();
    try {
      const image = await inspectImage(fixture('grace_hopper.jpg'));
      expect((await rekognition.detectFaces(image)).faces).toHaveLength(1);
      expect(throttled).toBe(2);
      throttleNext = 100;
      await expect(rekognition.detectFaces(image)).rejects.toBeInstanceOf(EngineUnavailableError);
      expect(throttled).toBe(6);
    } finally {
      await rekognition.stop();
      await flaky.close();
    }
  });

  it('the rekognition engine keeps its retries inside the request deadline and answers before it', async () => {
    const attempts: number[] = [];
    const throttling = await startStandIn({
      engine,
      credentials,
      fault: () => {
        attempts.push(Date.now());
        return new AwsError('ProvisionedThroughputExceededException', 'Provisioned rate exceeded');
      },
    });
    const rekognition = new RekognitionEngine({ region: 'us-east-1', endpoint: throttling.url, credentials, maxAttempts: 100 });
    await rekognition.start();
    try {
      const image = await inspectImage(fixture('grace_hopper.jpg'));
      const started = Date.now();
      const deadline = started + 2_000;
      await expect(rekognition.detectFaces(image, { deadline })).rejects.toBeInstanceOf(EngineUnavailableError);
      const answeredAt = Date.now();
      expect(answeredAt).toBeLessThanOrEqual(deadline - DEADLINE_MARGIN_MS + 50);
      // Retried with growing, jittered gaps, not hammered: the 100 attempts allowed were cut by the deadline.
      expect(attempts.length).toBeGreaterThanOrEqual(3);
      expect(attempts.length).toBeLessThan(10);
      const gaps = attempts.slice(1).map((at, i) => at - attempts[i]);
      expect(gaps.at(-1)).toBeGreaterThan(gaps[0]);
      // A deadline already spent sends nothing at all.
      const before = attempts.length;
      await expect(rekognition.detectFaces(image, { deadline: Date.now() + DEADLINE_MARGIN_MS })).rejects.toBeInstanceOf(EngineUnavailableError);
      expect(attempts.length).toBe(before);
    } finally {
      await rekognition.stop();
      await throttling.close();
    }
  });
});
