import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { EmptyState, ErrorMessage, Loading } from '../components/feedback';
import { formatCents, formatCount } from '../components/format';
import { RequestLogTable } from '../components/request-log-table';
import { UsageMeter } from '../components/usage-meter';
import { firstOfMonthUtc, todayUtc } from '../components/utc-days';
import { WorkspaceGate } from '../components/workspace-gate';
import { RequireSignIn } from '../layout';

/** Calls move while the page is open: the gateway meters them within seconds. */
const REFRESH_MS = 15_000;
const LAST_CALLS = 5;

export function OverviewPage() {
  return (
    <RequireSignIn what="this month's usage">
      <h1>Overview</h1>
      <WorkspaceGate>{(workspace) => <OverviewOfWorkspace workspaceId={workspace.id} />}</WorkspaceGate>
    </RequireSignIn>
  );
}

function OverviewOfWorkspace({ workspaceId }: { workspaceId: string }) {
  const from = firstOfMonthUtc();
  const to = todayUtc();
  const limits = useQuery({
    queryKey: ['workspaces', workspaceId, 'limits'],
    queryFn: () => unwrap(api.GET('/api/workspaces/{ws}/limits', { params: { path: { ws: workspaceId } } })),
    refetchInterval: REFRESH_MS,
  });
  const usage = useQuery({
    queryKey: ['workspaces', workspaceId, 'usage', { from, to, groupBy: 'day' }],
    queryFn: () => unwrap(api.GET('/api/workspaces/{ws}/usage', { params: { path: { ws: workspaceId }, query: { from, to, groupBy: 'day' } } })),
    refetchInterval: REFRESH_MS,
  });
  const lastCalls = useQuery({
    queryKey: ['workspaces', workspaceId, 'requests', { limit: LAST_CALLS }],
    queryFn: () => unwrap(api.GET('/api/workspaces/{ws}/requests', { params: { path: { ws: workspaceId }, query: { limit: LAST_CALLS } } })),
    refetchInterval: REFRESH_MS,
  });
  const month = new Date(`${from}T00:00:00Z`).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return (
    <>
      <p className="muted">
        {month} so far (UTC){limits.data ? `, on the ${limits.data.plan} plan` : ''}.
      </p>
      <ErrorMessage error={limits.error ?? usage.error} />
      <div className="cards">
        <section className="card" aria-labelledby="overview-calls">
          <h2 id="overview-calls">Calls this month</h2>
          {usage.data ? (
            <p className="figure">{formatCount(usage.data.totals.calls, 'call')}</p>
          ) : usage.isPending ? (
            <Loading />
          ) : null}
        </section>
        <section className="card" aria-labelledby="overview-units">
          <h2 id="overview-units">Units against the quota</h2>
          {limits.data ? (
            <UsageMeter
              label="Units this month"
              value={limits.data.unitsThisMonth}
              max={limits.data.monthlyUnitQuota}
              valueText={`${formatCount(limits.data.unitsThisMonth, 'unit')} of ${formatCount(limits.data.monthlyUnitQuota, 'unit')}`}
            />
          ) : limits.isPending ? (
            <Loading />
          ) : null}
        </section>
        <section className="card" aria-labelledby="overview-spend">
          <h2 id="overview-spend">Spend against the cap</h2>
          {limits.data ? (
            <UsageMeter
              label="Spend this month"
              value={limits.data.spendThisMonthCents}
              max={limits.data.monthlySpendCapCents}
              valueText={
                limits.data.monthlySpendCapCents === null
                  ? `${formatCents(limits.data.spendThisMonthCents)} (no spend cap set)`
                  : `${formatCents(limits.data.spendThisMonthCents)} of ${formatCents(limits.data.monthlySpendCapCents)}`
              }
            />
          ) : limits.isPending ? (
            <Loading />
          ) : null}
        </section>
      </div>
      <section aria-labelledby="overview-last-calls">
        <h2 id="overview-last-calls">Last calls</h2>
        <ErrorMessage error={lastCalls.error} />
        {lastCalls.isPending ? <Loading /> : null}
        {lastCalls.data && lastCalls.data.items.length === 0 ? (
          <EmptyState>
            {/* Link texts differ from the navigation's ("API keys", "Playground", "Requests"): tests find those by name. */}
            No calls yet. <Link to="/keys">Create a key</Link>, then call the API (the Playground page makes a call for you).
          </EmptyState>
        ) : null}
        {lastCalls.data && lastCalls.data.items.length > 0 ? (
          <>
            <RequestLogTable items={lastCalls.data.items} caption="The last calls to the API" />
            <p>
              <Link to="/requests">Open the request log</Link>
            </p>
          </>
        ) : null}
      </section>
    </>
  );
}
