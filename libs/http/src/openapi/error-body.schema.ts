import { z } from 'zod';
import { ErrorCode } from '@nomosly/contracts';

/** API.md's error body, on every error answer of every app: the OpenAPI documents show it from here. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(ErrorCode).meta({ description: 'For programs: one of the codes API.md lists.' }),
    message: z.string().meta({ description: 'For people: what went wrong and what to do about it.' }),
    requestId: z.string().meta({ description: 'Our id for this request (also in x-request-id); quote it to support.' }),
  }),
});
