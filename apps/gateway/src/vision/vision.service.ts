import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  ErrorCode,
  OPERATION_SPECS,
  PARAMS_SCHEMAS,
  PublicError,
  type Operation,
  type ResultOf,
} from '@nomosly/contracts';
import { inspectImage } from '@nomosly/images';
import { admittedCallOf } from '../auth/api-key-auth';
import { readImageInput } from './image-input';
import { VisionQueue } from './vision-queue.service';

export type VisionResponse<O extends Operation> = ResultOf<O> & { requestId: string; operation: O; units: number };

/** Reads a call's input, refuses what breaks the rules before queueing, and runs it on a worker. */
@Injectable()
export class VisionService {
  private readonly logger = new Logger(VisionService.name);

  constructor(private readonly queue: VisionQueue) {}

  async handle<O extends Operation>(operation: O, request: FastifyRequest): Promise<VisionResponse<O>> {
    this.requireAdmitted(operation, request);
    const spec = OPERATION_SPECS[operation];
    const input = await readImageInput(request, spec);
    const params = parseParams(operation, input.params);
    const images = await Promise.all(input.images.map((image, index) => inspectImage(image, spec.imageFields[index])));

    const aborted = new AbortController();
    // The client hanging up while we wait: the job and its images are removed at once.
    const onClose = () => aborted.abort();
    request.raw.socket.once('close', onClose);
    // The client may have gone while the body was read or the key checked: then there is nothing to run.
    if (request.raw.socket.destroyed) aborted.abort();
    try {
      const result = await this.queue.run({
        requestId: String(request.id),
        operation,
        params,
        images,
        signal: aborted.signal,
      });
      return { requestId: String(request.id), operation, units: spec.units, ...result };
    } finally {
      request.raw.socket.removeListener('close', onClose);
    }
  }

  /**
   * Defence in depth: ApiKeyAuth admits every operation route before its handler runs, so a call that gets here
   * without an admission for this very operation is a routing mistake. It is refused (and logged), never run
   * unmetered on the engine.
   */
  private requireAdmitted(operation: Operation, request: FastifyRequest): void {
    const call = admittedCallOf(request);
    if (call?.operation === operation) return;
    this.logger.error(`refused ${operation}: the request reached the vision service without an admitted key for it`);
    throw new PublicError(ErrorCode.Unauthenticated, 'API key missing: send it as "Authorization: Bearer <key>".');
  }
}

function parseParams(operation: Operation, raw: Record<string, unknown>) {
  const schema = PARAMS_SCHEMAS[operation] as z.ZodObject;
  const known = Object.keys(schema.shape);
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(raw).filter(([name]) => known.includes(name))));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PublicError(ErrorCode.InvalidRequest, `Parameter "${issue.path.join('.')}": ${issue.message}.`);
  }
  return parsed.data as never;
}
