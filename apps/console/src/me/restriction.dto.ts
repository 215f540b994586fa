import { z } from 'zod';

export const restrictionSchema = z.strictObject({
  restricted: z.boolean({ message: 'expected true or false' }),
});
