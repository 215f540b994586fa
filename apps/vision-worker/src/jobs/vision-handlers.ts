import type { EncodedImage, VisionEngine } from '@nomosly/engines';
import { OPERATIONS, Operation, type ParamsOf, type ResultOf } from '@nomosly/contracts';

type Handler<O extends Operation> = (engine: VisionEngine, images: EncodedImage[], params: ParamsOf<O>) => Promise<ResultOf<O>>;

/** One handler per operation: the mapped type makes a missing or extra operation a compile error. */
export const VISION_HANDLERS: { readonly [O in Operation]: Handler<O> } = Object.freeze({
  [Operation.FacesDetect]: (engine, [image]) => engine.detectFaces(image),
  [Operation.FacesCompare]: (engine, [source, target], params) => engine.compareFaces(source, target, params),
  [Operation.LabelsDetect]: (engine, [image], params) => engine.detectLabels(image, params),
  [Operation.TextDetect]: (engine, [image]) => engine.detectText(image),
});

/** Refuses to start a worker whose handler table does not cover every operation exactly once. */
export function assertEveryOperationHandled(handlers: Record<string, unknown> = VISION_HANDLERS): void {
  const names = Object.keys(handlers);
  const missing = OPERATIONS.filter((operation) => !names.includes(operation));
  const unknown = names.filter((name) => !(OPERATIONS as readonly string[]).includes(name));
  if (missing.length || unknown.length) {
    throw new Error(`vision handlers out of step with the contract: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`);
  }
}
