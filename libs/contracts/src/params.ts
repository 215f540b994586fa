import { z } from 'zod';

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Accepts numbers, and plain decimal strings (query strings and multipart fields carry strings); anything
 * else (hex, exponents, arrays, repeated query parameters) fails with "expected number". The meta is what the
 * OpenAPI document shows a client, who sends the number (JSON Schema cannot describe the preprocessing).
 */
const numeric = (min: number, max: number, fallback: number) =>
  z
    .preprocess(
      (value) => (value === undefined || value === '' ? undefined : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : value),
      z.number().finite().min(min).max(max).default(fallback),
    )
    .meta({ type: 'number', minimum: min, maximum: max, default: fallback });

export const facesCompareParamsSchema = z.object({ similarityThreshold: numeric(0, 100, 80) });
export type FacesCompareParams = z.infer<typeof facesCompareParamsSchema>;

/** DetectLabels' features, as Rekognition names them; GENERAL_LABELS alone when none is asked for. */
export const LABEL_FEATURES = ['GENERAL_LABELS', 'IMAGE_PROPERTIES'] as const;
export type LabelFeature = (typeof LABEL_FEATURES)[number];

/**
 * A list of features: a JSON array, a repeated query parameter, or one comma-separated string (a query string
 * or a multipart field).
 */
const features = z
  .preprocess(
    (value) => (value === '' ? undefined : typeof value === 'string' ? value.split(',').map((feature) => feature.trim()) : value),
    z.array(z.enum(LABEL_FEATURES)).min(1).max(LABEL_FEATURES.length).optional(),
  )
  .meta({
    type: 'array',
    items: { type: 'string', enum: [...LABEL_FEATURES] },
    description: 'GENERAL_LABELS (the labels; the default) and/or IMAGE_PROPERTIES (dominant colours, brightness, sharpness, contrast).',
  });

export const labelsDetectParamsSchema = z.object({
  maxLabels: numeric(1, 1000, 20).pipe(z.number().int()).meta({ type: 'integer' }),
  minConfidence: numeric(0, 100, 50),
  features,
});
export type LabelsDetectParams = z.infer<typeof labelsDetectParamsSchema>;

export const emptyParamsSchema = z.object({});
