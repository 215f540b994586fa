import { z } from 'zod';

export const updateMeSchema = z
  .strictObject({
    name: z.string({ message: 'expected a string' }).trim().min(1, 'expected 1 to 200 characters').max(200, 'expected 1 to 200 characters'),
    email: z.email({ message: 'expected an email address' }).max(320),
    marketingOptIn: z.boolean({ message: 'expected true or false' }),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'send at least one of name, email, marketingOptIn');
