import { z } from 'zod';
import { sentAsIsoString } from '../openapi/sent-as-iso-string';

/** `POST /api/me/deletion`: when the account will be purged unless the countdown is cancelled. */
export const deletionCountdownSchema = z.object({ deletionScheduledFor: sentAsIsoString() });
export type DeletionCountdownBody = z.infer<typeof deletionCountdownSchema>;
