import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, apiHref, download, unwrap } from '../api/client';
import { ConfirmButton } from '../components/confirm';
import { DateTime, ErrorMessage, Loading } from '../components/feedback';
import { formatBytes, formatCents } from '../components/format';
import { RequireSignIn } from '../layout';
import { ME_QUERY_KEY, useMe, useWorkspace, type Me, type Workspace } from '../workspace';

type User = Me['user'];

export function SettingsPage() {
  const me = useMe();
  const { workspace } = useWorkspace();
  return (
    <RequireSignIn what="your settings">
      <h1>Settings</h1>
      {me.isPending ? <Loading /> : null}
      {me.data ? (
        <>
          <Profile user={me.data.user} />
          {workspace?.role === 'owner' ? <SpendCap workspace={workspace} /> : null}
          <YourData user={me.data.user} />
        </>
      ) : null}
    </RequireSignIn>
  );
}

/** PATCH /api/me, then GET /api/me again everywhere (the header shows the name and email). */
function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; marketingOptIn?: boolean }) => unwrap(api.PATCH('/api/me', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY }),
  });
}

function Profile({ user }: { user: User }) {
  const [name, setName] = useState(user.name ?? '');
  const saveName = useUpdateMe();
  const saveOptIn = useUpdateMe();
  const save = (event: FormEvent) => {
    event.preventDefault();
    saveName.mutate({ name });
  };
  // The box shows the choice at once (set in the event, not when the mutation's state arrives a tick later); the
  // saved value takes over when GET /api/me has answered again, or on failure.
  const [choosing, setChoosing] = useState<boolean | null>(null);
  const marketingOptIn = choosing ?? user.marketingOptIn;
  const chooseMarketing = (optIn: boolean) => {
    setChoosing(optIn);
    saveOptIn.mutate({ marketingOptIn: optIn }, { onSettled: () => setChoosing(null) });
  };
  return (
    <section>
      <h2 id="profile-heading">Profile</h2>
      <p>
        Email: <strong>{user.email}</strong>{' '}
        <span className="muted">(your identity provider's verified email: change it there, it is refreshed at each sign-in)</span>
      </p>
      <form onSubmit={save} className="inline-form">
        <label>
          Name
          <input value={name} maxLength={200} required autoComplete="name" onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" disabled={saveName.isPending}>
          {saveName.isPending ? 'Saving…' : 'Save'}
        </button>
        {saveName.isSuccess ? (
          <span role="status" className="ok">
            Saved.
          </span>
        ) : null}
      </form>
      <ErrorMessage error={saveName.error} />
      <label className="inline">
        <input
          type="checkbox"
          checked={marketingOptIn}
          disabled={saveOptIn.isPending}
          aria-describedby="marketing-hint"
          onChange={(event) => chooseMarketing(event.target.checked)}
        />
        Marketing email
      </label>
      <p id="marketing-hint" className="muted hint">
        News about nomosly, at most once a month. Off unless you turn it on; service messages about your account come either way.
      </p>
      <ErrorMessage error={saveOptIn.error} />
    </section>
  );
}

/** The owner's monthly spend cap, typed in dollars and sent in cents; empty means no cap. */
function SpendCap({ workspace }: { workspace: Workspace }) {
  const limitsKey = ['limits', workspace.id] as const;
  const limits = useQuery({
    queryKey: limitsKey,
    queryFn: () => unwrap(api.GET('/api/workspaces/{ws}/limits', { params: { path: { ws: workspace.id } } })),
  });
  const cap = limits.data?.monthlySpendCapCents;
  return (
    <section>
      <h2 id="spend-cap-heading">Monthly spending of {workspace.name}</h2>
      {limits.isPending ? <Loading /> : null}
      <ErrorMessage error={limits.error} />
      {limits.data ? (
        <>
          <p>
            Spent this month: <strong>{formatCents(limits.data.spendThisMonthCents)}</strong>
            {cap === null || cap === undefined ? ', no cap.' : `, of a cap of ${formatCents(cap)}.`}
          </p>
          <SpendCapForm workspaceId={workspace.id} capCents={cap ?? null} limitsKey={limitsKey} />
        </>
      ) : null}
    </section>
  );
}

function SpendCapForm({ workspaceId, capCents, limitsKey }: { workspaceId: string; capCents: number | null; limitsKey: readonly unknown[] }) {
  const queryClient = useQueryClient();
  const [dollars, setDollars] = useState(capCents === null ? '' : (capCents / 100).toFixed(2));
  const [typo, setTypo] = useState<Error | null>(null);
  const save = useMutation({
    mutationFn: (monthlySpendCapCents: number | null) =>
      unwrap(api.PUT('/api/workspaces/{ws}/limits', { params: { path: { ws: workspaceId } }, body: { monthlySpendCapCents } })),
    onSuccess: (answer) => queryClient.setQueryData(limitsKey, answer),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = dollars.trim();
    const cents = text === '' ? null : Math.round(Number(text) * 100);
    if (cents !== null && !Number.isFinite(cents)) {
      setTypo(new Error('Enter the cap in dollars, such as 50 or 12.50, or leave it empty for no cap.'));
      return;
    }
    setTypo(null);
    save.mutate(cents);
  };
  return (
    <>
      <form onSubmit={submit} className="inline-form">
        <label>
          Spend cap
          <input
            type="number"
            inputMode="decimal"
            min={0}
            step={0.01}
            value={dollars}
            aria-describedby="spend-cap-hint"
            onChange={(event) => setDollars(event.target.value)}
          />
        </label>
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Setting…' : 'Set spend cap'}
        </button>
        {save.isSuccess ? (
          <span role="status" className="ok">
            {save.data.monthlySpendCapCents === null ? 'No cap.' : `Capped at ${formatCents(save.data.monthlySpendCapCents)} a month.`}
          </span>
        ) : null}
      </form>
      <p id="spend-cap-hint" className="muted hint">
        US dollars a month; the API refuses calls beyond it. Leave it empty for no cap.
      </p>
      <ErrorMessage error={typo ?? save.error} />
    </>
  );
}

function YourData({ user }: { user: User }) {
  return (
    <section>
      <h2 id="data-heading">Your data</h2>
      <DownloadMyData />
      <RestrictProcessing restricted={user.restricted} />
      <AccountDeletion scheduledFor={user.deletionScheduledFor} />
    </section>
  );
}

/** The export zip, streamed: the bytes received so far show while it comes. */
function DownloadMyData() {
  const [received, setReceived] = useState<number | null>(null);
  const exportZip = useMutation({
    mutationFn: () => {
      setReceived(0);
      return download(apiHref('/api/me/export', {}), 'nomosly-export.zip', setReceived);
    },
  });
  return (
    <div className="setting">
      <div className="actions">
        <button type="button" disabled={exportZip.isPending} onClick={() => exportZip.mutate()}>
          Download my data
        </button>
        {exportZip.isPending ? (
          <span role="status" className="muted">
            <span className="spinner" aria-hidden="true" /> Preparing your data… {formatBytes(received ?? 0)} received
          </span>
        ) : exportZip.isSuccess ? (
          <span role="status" className="ok">
            Downloaded ({formatBytes(received ?? 0)}).
          </span>
        ) : null}
      </div>
      <p className="muted hint">A zip of everything we hold about you, one file per kind of data, with a README.</p>
      <ErrorMessage error={exportZip.error} />
    </div>
  );
}

/** A switch: while on, nothing of yours is processed or billed (every key of the workspaces you own is refused). */
function RestrictProcessing({ restricted }: { restricted: boolean }) {
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: (next: boolean) => unwrap(api.PUT('/api/me/restriction', { body: { restricted: next } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY }),
  });
  const [choosing, setChoosing] = useState<boolean | null>(null);
  const shown = choosing ?? restricted;
  const flip = () => {
    setChoosing(!shown);
    toggle.mutate(!shown, { onSettled: () => setChoosing(null) });
  };
  return (
    <div className="setting">
      <div className="actions">
        <button
          type="button"
          role="switch"
          aria-checked={shown}
          aria-describedby="restriction-hint"
          className="switch"
          disabled={toggle.isPending}
          onClick={flip}
        >
          <span className="switch-track" aria-hidden="true" />
          Restrict processing
        </button>
        <span className="muted">{shown ? 'On' : 'Off'}</span>
      </div>
      <p id="restriction-hint" className="muted hint">
        While on, every API key of the workspaces you own is refused: nothing is processed or billed, and nothing is deleted.
      </p>
      <ErrorMessage error={toggle.error} />
    </div>
  );
}

/** Delete my account starts a cancellable countdown; while it runs, its end and **Cancel deletion** show. */
function AccountDeletion({ scheduledFor }: { scheduledFor: string | null }) {
  const queryClient = useQueryClient();
  const refreshMe = () => queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY });
  const cancel = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/me/deletion')),
    onSuccess: refreshMe,
  });
  const schedule = async () => {
    await unwrap(api.POST('/api/me/deletion'));
    await refreshMe();
  };
  if (scheduledFor) {
    return (
      <div className="setting deletion-scheduled">
        <p role="status">
          Your account will be deleted on <DateTime value={scheduledFor} />. Until then everything keeps working, and cancelling loses
          nothing.
        </p>
        <button type="button" className="primary" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
          Cancel deletion
        </button>
        <ErrorMessage error={cancel.error} />
      </div>
    );
  }
  return (
    <div className="setting">
      <ConfirmButton
        label="Delete my account"
        danger
        question="Your account is deleted after a grace period: your profile, memberships, and the workspaces you own alone with their keys and usage. You can cancel until then."
        onConfirm={schedule}
      />
      {cancel.isSuccess ? (
        <p role="status" className="ok">
          Deletion cancelled: nothing was lost.
        </p>
      ) : null}
    </div>
  );
}
