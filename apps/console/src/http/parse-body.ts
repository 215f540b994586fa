import type { z } from 'zod';
import { ErrorCode, PublicError } from '@nomosly/contracts';

/** Validates a JSON body against its schema; a mismatch is 400 `invalid_request` naming each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`);
  throw new PublicError(ErrorCode.InvalidRequest, `The request body is not valid: ${problems.join('; ')}.`);
}

/** Validates a query string against its schema; a mismatch is 400 `invalid_request` naming each bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'query'}: ${issue.message}`);
  throw new PublicError(ErrorCode.InvalidRequest, `The query is not valid: ${problems.join('; ')}.`);
}
