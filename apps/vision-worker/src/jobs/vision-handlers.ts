import type { EncodedImage, EngineCall, VisionEngine } from '@nomosly/engines';
import { OPERATIONS, Operation, type ParamsOf, type ResultOf } from '@nomosly/contracts';

type Handler<O extends Operation> = (engine: VisionEngine, images: EncodedImage[], params: ParamsOf<O>, call: EngineCall) => Promise<ResultOf<O>>;

/** One handler per operation: the mapped type makes a missing or extra operation a compile error. */
export const VISION_HANDLERS: { readonly [O in Operation]: Handler<O> } = Object.freeze({
  [Operation.FacesDetect]: (engine, [image], _params, call) => engine.detectFaces(image, call),
  [Operation.FacesCompare]: (engine, [source, target], params, call) => engine.compareFaces(source, target, params, call),
  [Operation.LabelsDetect]: (engine, [image], params, call) => engine.detectLabels(image, params, call),
  [Operation.TextDetect]: (engine, [image], _params, call) => engine.detectText(image, call),
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
