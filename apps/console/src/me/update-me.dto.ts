import { z } from 'zod';

/** The identity provider's verified email is the account's email: it is changed there, never here. */
export const EMAIL_NOT_HERE =
  "the email is your identity provider's verified email: change it at the identity provider, and it is updated here at your next sign-in";

export const updateMeSchema = z
  .strictObject({
    name: z.string({ message: 'expected a string' }).trim().min(1, 'expected 1 to 200 characters').max(200, 'expected 1 to 200 characters'),
    email: z.never({ message: EMAIL_NOT_HERE }),
    marketingOptIn: z.boolean({ message: 'expected true or false' }),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'send at least one of name, marketingOptIn');
