import { z } from 'zod';
import { facesCompareParamsSchema, labelsDetectParamsSchema } from './params';

describe('operation parameters', () => {
  it('apply the documented defaults', () => {
    expect(labelsDetectParamsSchema.parse({})).toEqual({ maxLabels: 20, minConfidence: 50 });
    expect(facesCompareParamsSchema.parse({})).toEqual({ similarityThreshold: 80 });
  });

  it('accept numbers and plain decimal strings', () => {
    expect(labelsDetectParamsSchema.parse({ maxLabels: '5', minConfidence: '42.5' })).toEqual({ maxLabels: 5, minConfidence: 42.5 });
    expect(facesCompareParamsSchema.parse({ similarityThreshold: 90 })).toEqual({ similarityThreshold: 90 });
  });

  it.each([{ maxLabels: '0x10' }, { maxLabels: '1e2' }, { maxLabels: ['1', '2'] }, { maxLabels: 0 }, { maxLabels: 2.5 }, { minConfidence: 101 }, { minConfidence: 'high' }])(
    'refuse %p',
    (params) => {
      expect(labelsDetectParamsSchema.safeParse(params).success).toBe(false);
    },
  );
});

describe('labels.detect features', () => {
  it.each([
    [['GENERAL_LABELS', 'IMAGE_PROPERTIES'], ['GENERAL_LABELS', 'IMAGE_PROPERTIES']],
    ['IMAGE_PROPERTIES', ['IMAGE_PROPERTIES']],
    ['GENERAL_LABELS, IMAGE_PROPERTIES', ['GENERAL_LABELS', 'IMAGE_PROPERTIES']],
    ['', undefined],
  ])('read %p (JSON array, repeated query parameter, comma-separated string) as %p', (features, expected) => {
    expect(labelsDetectParamsSchema.parse({ features }).features).toEqual(expected);
  });

  it('parse their own output again (the worker re-reads the job)', () => {
    const once = labelsDetectParamsSchema.parse({ features: 'IMAGE_PROPERTIES' });
    expect(labelsDetectParamsSchema.parse(once)).toEqual(once);
  });

  it.each([[[]], ['FACES'], [['GENERAL_LABELS', 'NOPE']], [42]])('refuse %p', (features) => {
    expect(labelsDetectParamsSchema.safeParse({ features }).success).toBe(false);
  });

  it('are documented as an array of the two feature names', () => {
    const schema = z.toJSONSchema(labelsDetectParamsSchema, { io: 'input' }) as { properties: Record<string, { type?: string; items?: { enum?: string[] } }> };
    expect(schema.properties.features.type).toBe('array');
    expect(schema.properties.features.items?.enum).toEqual(['GENERAL_LABELS', 'IMAGE_PROPERTIES']);
  });
});
