import { z } from 'zod';
import { isoDateTimeString } from '../openapi/sent-as-iso-string';

export const MAX_REQUESTS_PAGE = 200;

/** Where a page of the request log ends: the last item's time (microseconds, UTC) and request id. */
export interface RequestsCursor {
  at: string;
  requestId: string;
}

const cursorSchema = z.tuple([z.iso.datetime({ precision: 6 }), z.string().min(1).max(128).refine((id) => !id.includes('\u0000'))]);

export function encodeCursor(cursor: RequestsCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.requestId])).toString('base64url');
}

/** Null for anything that is not a cursor this API handed out. */
export function decodeCursor(text: string): RequestsCursor | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = cursorSchema.safeParse(value);
  return parsed.success ? { at: parsed.data[0], requestId: parsed.data[1] } : null;
}

/** Filters are exact matches: `path` is a whole path (no query string), `keyPrefix` a key's 12-character prefix. */
export const requestsQuerySchema = z.object({
  status: z.coerce
    .number({ message: 'expected an HTTP status, 100 to 599' })
    .int('expected an HTTP status, 100 to 599')
    .min(100, 'expected an HTTP status, 100 to 599')
    .max(599, 'expected an HTTP status, 100 to 599')
    .optional(),
  path: z.string({ message: 'expected one path' }).min(1, 'expected a path').max(2048, 'expected at most 2048 characters').optional(),
  keyPrefix: z.string({ message: 'expected one key prefix' }).min(1, 'expected a key prefix').max(16, 'expected at most 16 characters').optional(),
  limit: z.coerce
    .number({ message: `expected 1 to ${MAX_REQUESTS_PAGE}` })
    .int(`expected 1 to ${MAX_REQUESTS_PAGE}`)
    .min(1, `expected 1 to ${MAX_REQUESTS_PAGE}`)
    .max(MAX_REQUESTS_PAGE, `expected 1 to ${MAX_REQUESTS_PAGE}`)
    .default(50),
  cursor: z
    .string({ message: 'expected one cursor' })
    .transform((text, context) => {
      const cursor = decodeCursor(text);
      if (!cursor) context.addIssue({ code: 'custom', message: 'expected a nextCursor from an earlier page' });
      return cursor ?? z.NEVER;
    })
    .optional(),
});
export type RequestsQuery = z.infer<typeof requestsQuerySchema>;

/** One request the workspace's keys made, as the request log keeps it. */
export const requestLogItemSchema = z.object({
  at: isoDateTimeString(),
  ip: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.number().int(),
  latencyMs: z.number(),
  requestId: z.string(),
  keyPrefix: z.string().nullable(),
});

/** `GET /api/workspaces/:ws/requests`: newest first. */
export const requestsPageSchema = z.object({
  items: z.array(requestLogItemSchema),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next (older) page; null on the last page.' }),
});
export type RequestsPageBody = z.infer<typeof requestsPageSchema>;
