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

export const labelsDetectParamsSchema = z.object({
  maxLabels: numeric(1, 1000, 20).pipe(z.number().int()).meta({ type: 'integer' }),
  minConfidence: numeric(0, 100, 50),
});
export type LabelsDetectParams = z.infer<typeof labelsDetectParamsSchema>;

export const emptyParamsSchema = z.object({});
