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
