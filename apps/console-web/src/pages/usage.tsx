import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState, type MouseEvent } from 'react';
import { Link } from 'react-router';
import { api, apiHref, download, unwrap } from '../api/client';
import { parseCsv } from '../components/csv';
import { EmptyState, ErrorMessage, Loading } from '../components/feedback';
import { formatBytes, formatCount } from '../components/format';
import { TableScroll } from '../components/table-scroll';
import { fetchKeys, keysQueryKey } from '../components/keys-query';
import type { DayOfCalls } from '../components/usage-chart';
import { daysBetween, firstOfMonthUtc, isUtcDay, todayUtc } from '../components/utc-days';
import { WorkspaceGate } from '../components/workspace-gate';
import { RequireSignIn } from '../layout';

// The chart library is most of the bundle's weight: loaded with the Usage page only, not on the first page.
const UsageByDayChart = lazy(() => import('../components/usage-chart').then((module) => ({ default: module.UsageByDayChart })));

interface Period {
  from: string;
  to: string;
}

export function UsagePage() {
  return (
    <RequireSignIn what="your usage">
      <h1>Usage</h1>
      <WorkspaceGate>{(workspace) => <UsageOfWorkspace workspaceId={workspace.id} />}</WorkspaceGate>
    </RequireSignIn>
  );
}

function UsageOfWorkspace({ workspaceId }: { workspaceId: string }) {
  const [from, setFrom] = useState(firstOfMonthUtc);
  const [to, setTo] = useState(todayUtc);
  const valid = isUtcDay(from) && isUtcDay(to) && from <= to;
  const period: Period | null = valid ? { from, to } : null;
  return (
    <>
      <p className="muted">Calls and units per UTC day, both dates included. Refused calls are not counted.</p>
      <div className="filters">
        <label>
          From
          <input type="date" value={from} max={to || undefined} required onChange={(event) => setFrom(event.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} min={from || undefined} required onChange={(event) => setTo(event.target.value)} />
        </label>
      </div>
      {period ? (
        <UsageReport workspaceId={workspaceId} period={period} />
      ) : (
        <p role="alert" className="error">
          {from && to ? 'Pick a From date on or before the To date.' : 'Pick both a From and a To date.'}
        </p>
      )}
    </>
  );
}

function usageQuery(workspaceId: string, period: Period, groupBy: 'operation' | 'key') {
  return {
    queryKey: ['workspaces', workspaceId, 'usage', { ...period, groupBy }],
    queryFn: () => unwrap(api.GET('/api/workspaces/{ws}/usage', { params: { path: { ws: workspaceId }, query: { ...period, groupBy } } })),
  };
}

function UsageReport({ workspaceId, period }: { workspaceId: string; period: Period }) {
  const byOperation = useQuery(usageQuery(workspaceId, period, 'operation'));
  const byKey = useQuery(usageQuery(workspaceId, period, 'key'));
  const keys = useQuery({ queryKey: keysQueryKey(workspaceId), queryFn: () => fetchKeys(workspaceId) });
  // The JSON report groups by one dimension; the CSV has day x operation x key, which the chart needs.
  const daily = useQuery({
    queryKey: ['workspaces', workspaceId, 'usage.csv', period],
    queryFn: async () => {
      const text = await unwrap(api.GET('/api/workspaces/{ws}/usage.csv', { params: { path: { ws: workspaceId }, query: period }, parseAs: 'text' }));
      return parseCsv(text);
    },
  });
  const error = byOperation.error ?? byKey.error ?? daily.error;
  if (byOperation.isPending || byKey.isPending) return <Loading label="Loading usage…" />;
  if (!byOperation.data || !byKey.data) return <ErrorMessage error={error} />;
  const totals = byOperation.data.totals;
  const operations = byOperation.data.rows.map((row) => row.operation ?? 'unknown');
  const keyNames = new Map((keys.data?.keys ?? []).map((key) => [key.id, `${key.name} (${key.prefix})`]));
  const prefixes = new Map((daily.data ?? []).map((record) => [record.keyId, record.keyPrefix]));
  return (
    <>
      <ErrorMessage error={error} />
      <p className="totals">
        Total: <strong>{formatCount(totals.calls, 'call')}</strong>, <strong>{formatCount(totals.units, 'unit')}</strong> from {period.from} to {period.to} (UTC).
      </p>
      <DownloadCsv workspaceId={workspaceId} period={period} />
      {totals.calls === 0 ? (
        <EmptyState>
          No calls in these days. <Link to="/keys">Create a key</Link>, then call the API; its calls show here within a minute.
        </EmptyState>
      ) : null}
      {daily.isPending ? <Loading label="Loading the chart…" /> : null}
      {daily.data && totals.calls > 0 ? (
        <Suspense fallback={<Loading label="Loading the chart…" />}>
          <UsageByDayChart days={callsByDay(daily.data, period)} operations={operations} />
        </Suspense>
      ) : null}
      {totals.calls > 0 ? (
        <div className="usage-tables">
          <section aria-labelledby="usage-by-operation">
            <h2 id="usage-by-operation">By operation</h2>
            <SumsTable
              caption="Usage by operation"
              firstColumn="Operation"
              rows={byOperation.data.rows.map((row) => ({ id: row.operation ?? '', name: row.operation ?? 'unknown', calls: row.calls, units: row.units }))}
              totals={totals}
            />
          </section>
          <section aria-labelledby="usage-by-key">
            <h2 id="usage-by-key">By key</h2>
            <SumsTable
              caption="Usage by key"
              firstColumn="Key"
              rows={byKey.data.rows.map((row) => {
                const id = row.keyId ?? '';
                const prefix = prefixes.get(id);
                // Until the key list is in, a key is named by its prefix; a key missing from the list was deleted.
              const unnamed = keys.data ? (prefix ? `Deleted key (${prefix})` : 'Deleted key') : (prefix ?? id);
              return { id, name: keyNames.get(id) ?? unnamed, calls: row.calls, units: row.units };
              })}
              totals={totals}
            />
          </section>
        </div>
      ) : null}
    </>
  );
}

/** Calls per day and operation, every day of the period present (days without calls are zero bars). */
function callsByDay(records: Array<Record<string, string>>, period: Period): DayOfCalls[] {
  const days = new Map<string, Record<string, number>>(daysBetween(period.from, period.to).map((day) => [day, {}]));
  for (const record of records) {
    const calls = days.get(record.day);
    if (!calls) continue;
    calls[record.operation] = (calls[record.operation] ?? 0) + Number(record.calls);
  }
  return [...days].map(([day, calls]) => ({ day, calls }));
}

interface SumRow {
  id: string;
  name: string;
  calls: number;
  units: number;
}

function SumsTable({ caption, firstColumn, rows, totals }: { caption: string; firstColumn: string; rows: SumRow[]; totals: { calls: number; units: number } }) {
  if (rows.length === 0) return <p className="muted">No calls in these days.</p>;
  return (
    <TableScroll label={caption}>
      <table>
        <thead>
          <tr>
            <th scope="col">{firstColumn}</th>
            <th scope="col" className="number">
              Calls
            </th>
            <th scope="col" className="number">
              Units
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <th scope="row">{row.name}</th>
              <td className="number">{formatCount(row.calls, 'call')}</td>
              <td className="number">{formatCount(row.units, 'unit')}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td className="number">{formatCount(totals.calls, 'call')}</td>
            <td className="number">{formatCount(totals.units, 'unit')}</td>
          </tr>
        </tfoot>
      </table>
    </TableScroll>
  );
}

/** The link "Download CSV": the real URL (copyable), fetched with the bearer token on click, with progress. */
function DownloadCsv({ workspaceId, period }: { workspaceId: string; period: Period }) {
  const [state, setState] = useState<{ busy: boolean; receivedBytes: number; error: unknown }>({ busy: false, receivedBytes: 0, error: null });
  const href = apiHref('/api/workspaces/{ws}/usage.csv', { path: { ws: workspaceId }, query: { from: period.from, to: period.to } });
  const start = async (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    if (state.busy) return;
    setState({ busy: true, receivedBytes: 0, error: null });
    try {
      await download(href, `usage-${period.from}-${period.to}.csv`, (receivedBytes) => setState((current) => ({ ...current, receivedBytes })));
      setState({ busy: false, receivedBytes: 0, error: null });
    } catch (error) {
      setState({ busy: false, receivedBytes: 0, error });
    }
  };
  return (
    <div className="download-csv">
      <a href={href} onClick={(event) => void start(event)} aria-disabled={state.busy || undefined} className="button">
        Download CSV
      </a>
      <span role="status" aria-live="polite" className="muted">
        {state.busy ? (
          <>
            <span className="spinner" aria-hidden="true" /> Downloading… {state.receivedBytes > 0 ? formatBytes(state.receivedBytes) : ''}
          </>
        ) : null}
      </span>
      <ErrorMessage error={state.error} />
    </div>
  );
}
