import { createHash, randomUUID } from 'node:crypto';

/** A UUID (version 5 layout) derived from `name`: the same name gives the same id in every process. */
export function stableUuid(name: string): string {
  const bytes = createHash('sha1').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id the stand-in gives a plan's product when the seed names none, so `POLAR_PRODUCTS` can be computed up front. */
export function productIdFor(plan: string): string {
  return stableUuid(`polar-local:product:${plan}`);
}

export const METER_ID = stableUuid('polar-local:meter:api-units');
export const ORGANIZATION_ID = stableUuid('polar-local:organization');

export const newId = (): string => randomUUID();
