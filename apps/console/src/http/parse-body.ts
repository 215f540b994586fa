import type { z } from 'zod';
import { ErrorCode, PublicError } from '@nomosly/contracts';

/** Validates a JSON body against its schema; a mismatch is 400 `invalid_request` naming each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  return parseInput(schema, body, 'body');
}

/** Validates a query string against its schema; a mismatch is 400 `invalid_request` naming each bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  return parseInput(schema, query, 'query');
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: 'body' | 'query'): z.infer<S> {
  // PostgreSQL cannot hold a NUL character in text: refused here, for every field, rather than failing at the database.
  const nul = pathOfNul(input ?? {});
  if (nul !== null) throw new PublicError(ErrorCode.InvalidRequest, `The ${what} is not valid: ${nul || what}: NUL characters are not allowed.`);
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : what}: ${issue.message}`);
  throw new PublicError(ErrorCode.InvalidRequest, `The ${what} is not valid: ${problems.join('; ')}.`);
}

/** The dotted path of the first string holding a NUL character ('' for the value itself), or null. */
function pathOfNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const found = pathOfNul(item, path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}
