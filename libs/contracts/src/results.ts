import { z } from 'zod';

const ratio = z.number().min(0).max(1);
const percent = z.number().min(0).max(100);

export const boundingBoxSchema = z.object({ left: ratio, top: ratio, width: ratio, height: ratio });
export type BoundingBox = z.infer<typeof boundingBoxSchema>;

export const landmarkSchema = z.object({ type: z.string().meta({ examples: ['eyeLeft'] }), x: ratio, y: ratio });
export type Landmark = z.infer<typeof landmarkSchema>;

export const faceSchema = z.object({
  boundingBox: boundingBoxSchema,
  confidence: percent,
});
export type Face = z.infer<typeof faceSchema>;

export const detectedFaceSchema = faceSchema.extend({ landmarks: z.array(landmarkSchema) });
export type DetectedFace = z.infer<typeof detectedFaceSchema>;

export const facesDetectResultSchema = z.object({ faces: z.array(detectedFaceSchema) });
export type FacesDetectResult = z.infer<typeof facesDetectResultSchema>;

export const facesCompareResultSchema = z.object({
  sourceFace: faceSchema.nullable(),
  matches: z.array(z.object({ similarity: percent, face: faceSchema })),
  unmatchedFaces: z.array(faceSchema),
});
export type FacesCompareResult = z.infer<typeof facesCompareResultSchema>;

export const labelsDetectResultSchema = z.object({
  labels: z.array(
    z.object({
      name: z.string().meta({ examples: ['Person'] }),
      confidence: percent,
      instances: z.array(z.object({ boundingBox: boundingBoxSchema, confidence: percent })),
    }),
  ),
});
export type LabelsDetectResult = z.infer<typeof labelsDetectResultSchema>;

export const textDetectResultSchema = z.object({
  text: z.array(
    z.object({
      type: z.enum(['LINE', 'WORD']),
      text: z.string(),
      confidence: percent,
      boundingBox: boundingBoxSchema,
    }),
  ),
});
export type TextDetectResult = z.infer<typeof textDetectResultSchema>;
