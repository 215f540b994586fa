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

const degrees = z.number().min(-180).max(180);

/** Rekognition's face pose: degrees, -180..180. */
export const poseSchema = z.object({ roll: degrees, yaw: degrees, pitch: degrees });
export type Pose = z.infer<typeof poseSchema>;

/** Rekognition's face quality, measured on the face: 0..100, higher is brighter or sharper. */
export const faceQualitySchema = z.object({ brightness: percent, sharpness: percent });
export type FaceQuality = z.infer<typeof faceQualitySchema>;

export const detectedFaceSchema = faceSchema.extend({ landmarks: z.array(landmarkSchema), pose: poseSchema, quality: faceQualitySchema });
export type DetectedFace = z.infer<typeof detectedFaceSchema>;

export const facesDetectResultSchema = z.object({ faces: z.array(detectedFaceSchema) });
export type FacesDetectResult = z.infer<typeof facesDetectResultSchema>;

export const facesCompareResultSchema = z.object({
  sourceFace: faceSchema.nullable(),
  matches: z.array(z.object({ similarity: percent, face: faceSchema })),
  unmatchedFaces: z.array(faceSchema),
});
export type FacesCompareResult = z.infer<typeof facesCompareResultSchema>;

const namedSchema = z.object({ name: z.string() });

export const labelSchema = z.object({
  name: z.string().meta({ examples: ['Cat'] }),
  confidence: percent,
  /** Empty for a label that names the whole image or a parent. */
  instances: z.array(z.object({ boundingBox: boundingBoxSchema, confidence: percent })),
  /** Every ancestor in the taxonomy (Cat: Pet, Mammal, Animal); each is a label of its own too. */
  parents: z.array(namedSchema.meta({ examples: [{ name: 'Animal' }] })),
  categories: z.array(namedSchema.meta({ examples: [{ name: 'Animals and Pets' }] })),
});
export type Label = z.infer<typeof labelSchema>;

/** What DetectLabels' IMAGE_PROPERTIES feature adds: the image's dominant colours and quality. */
export const imagePropertiesSchema = z.object({
  dominantColors: z.array(
    z.object({
      hex: z.string().regex(/^#[0-9A-F]{6}$/).meta({ examples: ['#1E90FF'] }),
      /** A simple CSS colour name, the nearest to the colour. */
      name: z.string().meta({ examples: ['blue'] }),
      pixelPercent: percent,
    }),
  ),
  quality: z.object({ brightness: percent, sharpness: percent, contrast: percent }),
});
export type ImageProperties = z.infer<typeof imagePropertiesSchema>;

export const labelsDetectResultSchema = z.object({
  labels: z.array(labelSchema),
  /** Only when `features` asks for IMAGE_PROPERTIES. */
  imageProperties: imagePropertiesSchema.optional(),
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
