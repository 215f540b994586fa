import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

/** An error as a sentence a person can act on: the API's message, never a stack or a bare code. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message =
    error instanceof ApiError || error instanceof Error ? error.message : 'Something went wrong. Reload the page and try again.';
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <p role="alert" className="error">
      {message}
      {requestId ? <span className="muted"> (request {requestId})</span> : null}
    </p>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" aria-live="polite" className="muted">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** What to do first, when there is nothing to show yet. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A date in the browser's time zone, with the UTC instant on hover. */
export function DateTime({ value, dateOnly = false }: { value: string | null | undefined; dateOnly?: boolean }) {
  if (!value) return <span className="muted">—</span>;
  const date = new Date(value);
  const shown = dateOnly ? date.toLocaleDateString() : date.toLocaleString();
  return (
    <time dateTime={date.toISOString()} title={`${date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`}>
      {shown}
    </time>
  );
}
