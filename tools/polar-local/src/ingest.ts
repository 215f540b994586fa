import { type ValidationIssue, invalid, validationFailed } from './http';
import { newId } from './ids';
import type { EventRecord, Metadata, PolarState } from './state';

const MAX_NAME_LENGTH = 128;
const MAX_METADATA_KEYS = 50;
const MAX_METADATA_STRING = 500;
/** An aware ISO 8601 datetime: Polar (pydantic's AwareDatetime) refuses one without an offset. */
const AWARE_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

interface ValidEvent {
  name: string;
  customerId: string | null;
  externalCustomerId: string | null;
  externalId: string | null;
  timestamp: Date | null;
  metadata: Metadata;
}

/**
 * `POST /v1/events/ingest` as Polar does it: every event is validated first and one invalid event fails the whole
 * batch with a 422; then events whose `external_id` was ever ingested (or repeats within the batch) are counted as
 * duplicates, never stored twice. A future timestamp is refused with no allowance for clock skew, as Polar does.
 */
export function ingestEvents(state: PolarState, body: Record<string, unknown>, now: Date): { inserted: number; duplicates: number } {
  const events = body.events;
  if (!Array.isArray(events)) throw invalid(['body', 'events'], 'Field required', body, 'missing');
  const issues: ValidationIssue[] = [];
  const valid: ValidEvent[] = [];
  events.forEach((event, index) => {
    const result = validateEvent(state, event, ['body', 'events', index], now);
    if (Array.isArray(result)) issues.push(...result);
    else valid.push(result);
  });
  if (issues.length > 0) throw validationFailed(issues);

  let inserted = 0;
  let duplicates = 0;
  for (const event of valid) {
    if (event.externalId !== null) {
      if (state.ingestedExternalIds.has(event.externalId)) {
        duplicates += 1;
        continue;
      }
      state.ingestedExternalIds.add(event.externalId);
    }
    const record: EventRecord = { id: newId(), ...event, timestamp: event.timestamp ?? now, ingestedAt: now };
    state.events.push(record);
    inserted += 1;
  }
  return { inserted, duplicates };
}

function validateEvent(state: PolarState, event: unknown, loc: (string | number)[], now: Date): ValidEvent | ValidationIssue[] {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return [{ type: 'model_attributes_type', loc, msg: 'Input should be a valid dictionary or object to extract fields from', input: event }];
  }
  const fields = event as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const issue = (field: string, msg: string, input: unknown, type = 'value_error') => issues.push({ type, loc: [...loc, field], msg, input });

  const { name } = fields;
  if (typeof name !== 'string' || name.length === 0) issue('name', 'Event name must be a non-empty string', name, name === undefined ? 'missing' : 'string_type');
  else if (name.length > MAX_NAME_LENGTH) issue('name', `String should have at most ${MAX_NAME_LENGTH} characters`, name, 'string_too_long');

  const customerId = optionalString(fields, 'customer_id', issue);
  const externalCustomerId = optionalString(fields, 'external_customer_id', issue);
  const externalId = optionalString(fields, 'external_id', issue);
  if ((customerId === null) === (externalCustomerId === null)) {
    issue('customer_id', 'Exactly one of customer_id or external_customer_id is required', fields, 'missing');
  } else if (customerId !== null && !state.customers.has(customerId)) {
    issue('customer_id', 'Customer not found.', customerId);
  }

  let timestamp: Date | null = null;
  if (fields.timestamp !== undefined) {
    const text = fields.timestamp;
    const parsed = typeof text === 'string' && AWARE_DATETIME.test(text) ? new Date(text) : null;
    if (!parsed || Number.isNaN(parsed.getTime())) issue('timestamp', 'Input should be a valid datetime with a timezone', text, 'datetime_parsing');
    else if (parsed.getTime() > now.getTime()) issue('timestamp', 'Value error, Timestamp must be in the past.', text);
    else timestamp = parsed;
  }

  const metadata = validateMetadata(fields.metadata, (key, msg, input) => issues.push({ type: 'value_error', loc: [...loc, 'metadata', ...key], msg, input }));
  if (issues.length > 0) return issues;
  return { name: name as string, customerId, externalCustomerId, externalId, timestamp, metadata };
}

function optionalString(fields: Record<string, unknown>, field: string, issue: (field: string, msg: string, input: unknown, type?: string) => void): string | null {
  const value = fields[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0) {
    issue(field, 'Input should be a non-empty string', value, 'string_type');
    return null;
  }
  return value;
}

function validateMetadata(value: unknown, issue: (key: string[], msg: string, input: unknown) => void): Metadata {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    issue([], 'Input should be a valid dictionary', value);
    return {};
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_METADATA_KEYS) issue([], `Metadata should have at most ${MAX_METADATA_KEYS} keys`, value);
  const metadata: Metadata = {};
  for (const [key, item] of entries) {
    if (typeof item === 'number' ? !Number.isFinite(item) : typeof item !== 'string' && typeof item !== 'boolean') {
      issue([key], 'Metadata values must be strings, numbers or booleans', item);
    } else if (typeof item === 'string' && item.length > MAX_METADATA_STRING) {
      issue([key], `String should have at most ${MAX_METADATA_STRING} characters`, item);
    } else {
      metadata[key] = item as string | number | boolean;
    }
  }
  return metadata;
}
