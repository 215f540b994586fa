import { useMutation, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { DateTime, EmptyState, ErrorMessage, Loading } from '../components/feedback';
import { TableScroll } from '../components/table-scroll';
import { formatCents, formatCount } from '../components/format';
import { RequireSignIn } from '../layout';
import { useWorkspace, type Workspace } from '../workspace';

/** The plan Upgrade buys: the one paid plan Polar sells (the free plan has no product). */
const UPGRADE_PLAN = 'pro';
/** How often the page asks again after a checkout, until the subscription Polar's webhooks create shows up. */
const AFTER_CHECKOUT_POLL_MS = 2_000;

type Billing = Awaited<ReturnType<typeof fetchBilling>>;

function fetchBilling(ws: string) {
  return unwrap(api.GET('/api/workspaces/{ws}/billing', { params: { path: { ws } } }));
}

export function BillingPage() {
  const { workspace } = useWorkspace();
  return (
    <RequireSignIn what="billing">
      <h1>Billing</h1>
      {workspace ? <WorkspaceBilling workspace={workspace} /> : <Loading />}
    </RequireSignIn>
  );
}

function WorkspaceBilling({ workspace }: { workspace: Workspace }) {
  const [searchParams] = useSearchParams();
  const backFromCheckout = searchParams.get('checkout') === 'done';
  const billing = useQuery({
    queryKey: ['billing', workspace.id],
    queryFn: () => fetchBilling(workspace.id),
    refetchInterval: (query) => (backFromCheckout && !query.state.data?.subscription ? AFTER_CHECKOUT_POLL_MS : false),
  });
  if (billing.isPending) return <Loading />;
  if (billing.isError) return <ErrorMessage error={billing.error} />;
  const { data } = billing;
  return (
    <>
      {backFromCheckout && !data.subscription ? (
        <p role="status" className="muted">
          <span className="spinner" aria-hidden="true" /> Thank you: Polar is confirming the payment. The plan changes here as soon as it
          does.
        </p>
      ) : null}
      <div className="cards">
        <PlanCard billing={data} />
        <section className="card">
          <h2 id="period-heading">This period</h2>
          <p>
            <strong>{formatCount(data.currentPeriod.units, 'unit')}</strong> used
          </p>
          <p>
            Estimated cost: <strong>{formatCents(data.currentPeriod.estimatedCostCents)}</strong>
          </p>
        </section>
      </div>
      {workspace.role === 'owner' ? (
        <OwnerActions workspaceId={workspace.id} plan={data.plan} />
      ) : (
        <p className="muted">Only the workspace's owners can change its plan or payment details.</p>
      )}
      <Invoices invoices={data.invoices} />
    </>
  );
}

function PlanCard({ billing }: { billing: Billing }) {
  const { subscription } = billing;
  return (
    <section className="card">
      <h2 id="plan-heading">Plan</h2>
      <p>
        <strong className="plan-name">{billing.plan}</strong>
      </p>
      {subscription ? (
        <dl className="facts">
          <dt>Subscription</dt>
          <dd>
            {subscription.plan}, {subscription.status}
          </dd>
          <dt>Current period</dt>
          <dd>
            <DateTime value={subscription.currentPeriodStart} dateOnly /> to <DateTime value={subscription.currentPeriodEnd} dateOnly />
          </dd>
          {subscription.cancelAtPeriodEnd ? (
            <>
              <dt>Renewal</dt>
              <dd>ends at the close of this period</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p className="muted">No subscription: this workspace is on the free plan.</p>
      )}
    </section>
  );
}

/** Upgrade and Manage billing: each asks the console for a Polar page and goes there (the paying happens at Polar). */
function OwnerActions({ workspaceId, plan }: { workspaceId: string; plan: string }) {
  const path = { params: { path: { ws: workspaceId } } };
  const goTo = ({ url }: { url: string }) => window.location.assign(url);
  const upgrade = useMutation({
    mutationFn: () => unwrap(api.POST('/api/workspaces/{ws}/billing/checkout', { ...path, body: { plan: UPGRADE_PLAN } })),
    onSuccess: goTo,
  });
  const portal = useMutation({
    mutationFn: () => unwrap(api.POST('/api/workspaces/{ws}/billing/portal', path)),
    onSuccess: goTo,
  });
  const leaving = upgrade.isPending || upgrade.isSuccess || portal.isPending || portal.isSuccess;
  return (
    <div className="billing-actions">
      <div className="actions">
        {plan !== UPGRADE_PLAN ? (
          <button type="button" className="primary" disabled={leaving} onClick={() => upgrade.mutate()}>
            Upgrade
          </button>
        ) : null}
        <button type="button" disabled={leaving} onClick={() => portal.mutate()}>
          Manage billing
        </button>
        {leaving ? <span className="muted" role="status"><span className="spinner" aria-hidden="true" /> Opening Polar…</span> : null}
      </div>
      {plan !== UPGRADE_PLAN ? <p className="muted">Upgrade moves this workspace to the {UPGRADE_PLAN} plan, paid through Polar.</p> : null}
      <ErrorMessage error={upgrade.error ?? portal.error} />
    </div>
  );
}

function Invoices({ invoices }: { invoices: Billing['invoices'] }) {
  return (
    <section>
      <h2 id="invoices-heading">Invoices</h2>
      {invoices.length === 0 ? (
        <EmptyState>No invoices yet: they appear here after the first payment.</EmptyState>
      ) : (
        <TableScroll label="Invoices">
          <table aria-labelledby="invoices-heading">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Date</th>
                <th scope="col">Status</th>
                <th scope="col" className="number">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((invoice) => (
                <tr key={invoice.id}>
                  <td>{invoice.number}</td>
                  <td>
                    <DateTime value={invoice.createdAt} />
                  </td>
                  <td>{invoice.status}</td>
                  <td className="number">{formatCents(invoice.totalCents, invoice.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
