import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { EmptyState, ErrorMessage, Loading } from '../components/feedback';
import { formatCount } from '../components/format';
import { RequestLogTable } from '../components/request-log-table';
import { WorkspaceGate } from '../components/workspace-gate';
import { RequireSignIn } from '../layout';

const PAGE_SIZE = 50;

/** The filters the API takes, each an exact match; absent when left empty. */
interface RequestFilters {
  status?: number;
  path?: string;
  keyPrefix?: string;
}

export function RequestsPage() {
  return (
    <RequireSignIn what="the request log">
      <h1>Requests</h1>
      <WorkspaceGate>{(workspace) => <RequestLog workspaceId={workspace.id} />}</WorkspaceGate>
    </RequireSignIn>
  );
}

function RequestLog({ workspaceId }: { workspaceId: string }) {
  const [filters, setFilters] = useState<RequestFilters>({});
  const log = useInfiniteQuery({
    queryKey: ['workspaces', workspaceId, 'requests', 'log', filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/workspaces/{ws}/requests', {
          params: { path: { ws: workspaceId }, query: { ...filters, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const items = log.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Object.keys(filters).length > 0;
  return (
    <>
      <p className="muted">Every call to the API, newest first. Filters match exactly.</p>
      <RequestFiltersForm onApply={setFilters} />
      {log.isPending ? <Loading label="Loading requests…" /> : null}
      <ErrorMessage error={log.error} />
      {log.isSuccess && items.length === 0 ? (
        filtered ? (
          <EmptyState>No request matches these filters. Clear a filter to see more.</EmptyState>
        ) : (
          <EmptyState>
            No requests yet. <Link to="/keys">Create a key</Link>, then call the API.
          </EmptyState>
        )
      ) : null}
      {items.length > 0 ? (
        <>
          <p className="muted" aria-live="polite">
            Showing {formatCount(items.length, 'request')}
            {log.hasNextPage ? '; older ones follow' : ''}.
          </p>
          <RequestLogTable items={items} caption="Requests, newest first" />
        </>
      ) : null}
      {log.hasNextPage ? (
        <div className="actions load-more">
          <button type="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
            {log.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </>
  );
}

function RequestFiltersForm({ onApply }: { onApply: (filters: RequestFilters) => void }) {
  const [status, setStatus] = useState('');
  const [path, setPath] = useState('');
  const [keyPrefix, setKeyPrefix] = useState('');
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const filters: RequestFilters = {};
    if (status.trim()) filters.status = Number(status.trim());
    if (path.trim()) filters.path = path.trim();
    if (keyPrefix.trim()) filters.keyPrefix = keyPrefix.trim();
    onApply(filters);
  };
  const clear = () => {
    setStatus('');
    setPath('');
    setKeyPrefix('');
    onApply({});
  };
  return (
    <form className="filters" onSubmit={apply} role="search" aria-label="Filter requests">
      <label>
        Status
        <input type="number" inputMode="numeric" min={100} max={599} placeholder="e.g. 429" value={status} onChange={(event) => setStatus(event.target.value)} />
      </label>
      <label>
        Path
        <input type="text" placeholder="/v1/faces/detect" value={path} onChange={(event) => setPath(event.target.value)} />
      </label>
      <label>
        Key prefix
        <input type="text" placeholder="nk_live_ab12" maxLength={16} value={keyPrefix} onChange={(event) => setKeyPrefix(event.target.value)} spellCheck={false} />
      </label>
      <div className="actions">
        <button type="submit" className="primary">
          Filter
        </button>
        <button type="button" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}
