import { z } from 'zod';

/**
 * A `Date` in a response: the services hand out `Date`s and JSON sends them as ISO 8601 strings, so the code's
 * type is `Date` while the document (and the client generated from it) says `string`, format `date-time`.
 */
export const sentAsIsoString = () => z.date().meta({ type: 'string', format: 'date-time' });

/** A moment the services already hold as an ISO 8601 string. */
export const isoDateTimeString = () => z.string().meta({ format: 'date-time' });
