import { z } from 'zod';
import { ErrorCode } from './errors';
import { SUPPORTED_IMAGE_FORMATS } from './image-limits';
import { Operation } from './operations';
import {
  facesCompareParamsSchema,
  labelsDetectParamsSchema,
  emptyParamsSchema,
  type FacesCompareParams,
  type LabelsDetectParams,
} from './params';
import {
  facesCompareResultSchema,
  facesDetectResultSchema,
  labelsDetectResultSchema,
  textDetectResultSchema,
  type FacesCompareResult,
  type FacesDetectResult,
  type LabelsDetectResult,
  type TextDetectResult,
} from './results';

const jobBase = {
  requestId: z.string().min(1).max(128),
  /** Where the worker publishes the outcome; the job itself never carries a result. */
  replyChannel: z.string().min(1),
  /** Epoch milliseconds after which nobody waits for the answer. */
  deadline: z.number().int().positive(),
  /** Where each image's bytes wait (read once by the worker), with what the gateway read from its header. */
  images: z
    .array(
      z.object({
        key: z.string().min(1),
        format: z.enum(SUPPORTED_IMAGE_FORMATS),
        width: z.number().int().positive(),
        height: z.number().int().positive(),
        orientation: z.number().int().min(1).max(8),
      }),
    )
    .min(1)
    .max(2),
};

export const visionJobSchema = z.discriminatedUnion('operation', [
  z.object({ ...jobBase, operation: z.literal(Operation.FacesDetect), params: emptyParamsSchema }),
  z.object({ ...jobBase, operation: z.literal(Operation.FacesCompare), params: facesCompareParamsSchema }),
  z.object({ ...jobBase, operation: z.literal(Operation.LabelsDetect), params: labelsDetectParamsSchema }),
  z.object({ ...jobBase, operation: z.literal(Operation.TextDetect), params: emptyParamsSchema }),
]);
export type VisionJob = z.infer<typeof visionJobSchema>;

/** Maps each operation (the job name) to its parameters and its result, keeping producer and handler in step. */
export interface VisionJobMap {
  [Operation.FacesDetect]: { params: Record<string, never>; result: FacesDetectResult };
  [Operation.FacesCompare]: { params: FacesCompareParams; result: FacesCompareResult };
  [Operation.LabelsDetect]: { params: LabelsDetectParams; result: LabelsDetectResult };
  [Operation.TextDetect]: { params: Record<string, never>; result: TextDetectResult };
}
export type ResultOf<O extends Operation> = VisionJobMap[O]['result'];
export type ParamsOf<O extends Operation> = VisionJobMap[O]['params'];

export const RESULT_SCHEMAS = Object.freeze({
  [Operation.FacesDetect]: facesDetectResultSchema,
  [Operation.FacesCompare]: facesCompareResultSchema,
  [Operation.LabelsDetect]: labelsDetectResultSchema,
  [Operation.TextDetect]: textDetectResultSchema,
});

export const PARAMS_SCHEMAS = Object.freeze({
  [Operation.FacesDetect]: emptyParamsSchema,
  [Operation.FacesCompare]: facesCompareParamsSchema,
  [Operation.LabelsDetect]: labelsDetectParamsSchema,
  [Operation.TextDetect]: emptyParamsSchema,
});

/** Error codes a worker may answer with; anything else is the worker's own failure. */
const workerErrorCode = z.enum([
  ErrorCode.InvalidImage,
  ErrorCode.ImageTooLarge,
  ErrorCode.UnsupportedMediaType,
  ErrorCode.InvalidRequest,
  ErrorCode.Unavailable,
  ErrorCode.Timeout,
  ErrorCode.Internal,
]);

export const visionReplySchema = z.discriminatedUnion('ok', [
  z.object({ jobId: z.string(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    jobId: z.string(),
    ok: z.literal(false),
    error: z.object({ code: workerErrorCode, message: z.string() }),
  }),
]);
export type VisionReply = z.infer<typeof visionReplySchema>;
