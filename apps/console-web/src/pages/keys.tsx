import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { ConfirmButton } from '../components/confirm';
import { DateTime, EmptyState, ErrorMessage, Loading } from '../components/feedback';
import { formatCount } from '../components/format';
import { type ApiKey, fetchKeys, keysQueryKey } from '../components/keys-query';
import { SecretField } from '../components/secret-field';
import { TableScroll } from '../components/table-scroll';
import { WorkspaceGate } from '../components/workspace-gate';
import { RequireSignIn } from '../layout';

/** The scopes a key can hold (API.md's operations table); a new key gets all four unless unticked. */
const SCOPES = ['faces:detect', 'faces:compare', 'labels:detect', 'text:detect'] as const;
type Scope = (typeof SCOPES)[number];
/** The body of `POST /api/workspaces/:ws/keys` (the generated client checks it where it is sent). */
type NewKeyBody = { name: string; scopes: Scope[]; expiresAt: string | null; dailyLimit: number | null };
const ROTATION_OVERLAP_SECONDS = 86_400;

/** A secret just issued, shown once, and (after a rotation) until when the key it replaces still works. */
interface IssuedSecret {
  title: string;
  secret: string;
  prefix: string;
  previous?: { prefix: string; worksUntil: string | null };
}

export function ApiKeysPage() {
  return (
    <RequireSignIn what="your API keys">
      <h1>API keys</h1>
      <WorkspaceGate>{(workspace) => <KeysOfWorkspace workspaceId={workspace.id} />}</WorkspaceGate>
    </RequireSignIn>
  );
}

function KeysOfWorkspace({ workspaceId }: { workspaceId: string }) {
  const keys = useQuery({ queryKey: keysQueryKey(workspaceId), queryFn: () => fetchKeys(workspaceId) });
  const [issued, setIssued] = useState<IssuedSecret | null>(null);
  return (
    <>
      <p className="muted">A key calls the API with the scopes ticked for it. Its secret is shown once, when it is created or rotated.</p>
      <CreateKey workspaceId={workspaceId} />
      {keys.isPending ? <Loading label="Loading keys…" /> : null}
      <ErrorMessage error={keys.error} />
      {keys.data && keys.data.keys.length === 0 ? <EmptyState>No keys yet. Create a key, then call the API with it.</EmptyState> : null}
      {keys.data && keys.data.keys.length > 0 ? <KeysTable workspaceId={workspaceId} keys={keys.data.keys} readAt={keys.dataUpdatedAt} onRotated={setIssued} /> : null}
      <SecretDialog issued={issued} onClosed={() => setIssued(null)} />
    </>
  );
}

interface KeysTableProps {
  workspaceId: string;
  keys: ApiKey[];
  /** When the list was read (ms): statuses are as of then, like the list itself. */
  readAt: number;
  onRotated: (issued: IssuedSecret) => void;
}

function KeysTable({ workspaceId, keys, readAt, onRotated }: KeysTableProps) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: keysQueryKey(workspaceId) });
  const path = (key: ApiKey) => ({ params: { path: { ws: workspaceId, id: key.id } } });
  const revoke = async (key: ApiKey) => {
    await unwrap(api.POST('/api/workspaces/{ws}/keys/{id}/revoke', path(key)));
    await refresh();
  };
  const remove = async (key: ApiKey) => {
    await unwrap(api.DELETE('/api/workspaces/{ws}/keys/{id}', path(key)));
    await refresh();
  };
  const rotate = async (key: ApiKey) => {
    const { key: successor, secret } = await unwrap(
      api.POST('/api/workspaces/{ws}/keys/{id}/rotate', { ...path(key), body: { overlapSeconds: ROTATION_OVERLAP_SECONDS } }),
    );
    // The old key's new expiry (the end of the overlap) is what the server set: read it back rather than guess.
    const fresh = await queryClient.fetchQuery({ queryKey: keysQueryKey(workspaceId), queryFn: () => fetchKeys(workspaceId), staleTime: 0 });
    const old = fresh.keys.find((candidate) => candidate.id === key.id);
    onRotated({ title: `Key ${key.name} rotated`, secret, prefix: successor.prefix, previous: { prefix: key.prefix, worksUntil: old?.expiresAt ?? null } });
  };
  return (
    <TableScroll label="API keys of this workspace">
      <table className="keys-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const status = keyStatus(key, keys, readAt);
            const usable = status.kind === 'active' || status.kind === 'overlap';
            return (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}</code>
                </td>
                <td className="scopes">{key.scopes.join(', ')}</td>
                <td>
                  <DateTime value={key.createdAt} dateOnly />
                </td>
                <td>{key.expiresAt ? <DateTime value={key.expiresAt} /> : <span className="muted">Never</span>}</td>
                <td>{key.lastUsedAt ? <DateTime value={key.lastUsedAt} /> : <span className="muted">Never</span>}</td>
                <td>
                  <span className={`key-status key-status-${status.kind}`}>
                    {status.kind === 'overlap' && key.expiresAt ? (
                      <>
                        Expires <DateTime value={key.expiresAt} />
                      </>
                    ) : (
                      status.text
                    )}
                  </span>
                  {key.dailyLimit !== null ? <span className="muted daily-limit">{formatCount(key.dailyLimit, 'call')} a day</span> : null}
                </td>
                <td>
                  <div className="actions">
                    <ConfirmButton
                      label="Revoke"
                      danger
                      disabled={!usable}
                      question={`Revoke the key ${key.name} (${key.prefix})? Calls with it are refused everywhere within a second.`}
                      onConfirm={() => revoke(key)}
                    />
                    <ConfirmButton
                      label="Rotate"
                      disabled={status.kind !== 'active'}
                      question={`Issue a new secret for ${key.name}? The old key (${key.prefix}) keeps working for 24 hours, so clients can switch without an outage.`}
                      onConfirm={() => rotate(key)}
                    />
                    <ConfirmButton
                      label="Delete"
                      danger
                      question={`Delete the key ${key.name} (${key.prefix})? Calls with it are refused, and it leaves this list.`}
                      onConfirm={() => remove(key)}
                    />
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}

type KeyStatus = { kind: 'active' | 'revoked' | 'expired'; text: string } | { kind: 'overlap'; text: string };

/**
 * Revoked and expired keys are refused. A key that was rotated keeps working until its overlap ends: it is the
 * one with a future expiry and a newer key of the same name (a rotation issues its successor under the old
 * key's name), and shows "Expires <date>" rather than Active.
 */
function keyStatus(key: ApiKey, all: ApiKey[], now: number): KeyStatus {
  if (key.revokedAt && Date.parse(key.revokedAt) <= now) return { kind: 'revoked', text: 'Revoked' };
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return { kind: 'expired', text: 'Expired' };
  const rotated =
    key.expiresAt !== null &&
    all.some((other) => other.id !== key.id && other.name === key.name && Date.parse(other.createdAt) > Date.parse(key.createdAt));
  return rotated ? { kind: 'overlap', text: 'Expires' } : { kind: 'active', text: 'Active' };
}

function CreateKey({ workspaceId }: { workspaceId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [issued, setIssued] = useState<IssuedSecret | null>(null);
  // A new form (fresh fields) each time the dialog opens.
  const [formVersion, setFormVersion] = useState(0);
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (body: NewKeyBody) =>
      unwrap(api.POST('/api/workspaces/{ws}/keys', { params: { path: { ws: workspaceId } }, body })),
    onSuccess: async ({ key, secret }) => {
      setIssued({ title: `Key ${key.name} created`, secret, prefix: key.prefix });
      await queryClient.invalidateQueries({ queryKey: keysQueryKey(workspaceId) });
    },
  });
  const show = () => {
    create.reset();
    setIssued(null);
    setFormVersion((version) => version + 1);
    setOpen(true);
    dialog.current?.showModal();
  };
  const closed = () => {
    // The secret leaves memory with the dialog: it is never shown again.
    setIssued(null);
    setOpen(false);
    create.reset();
  };
  // The dialog's close event comes a task later: the secret leaves the page at once, not after it.
  const hide = () => {
    closed();
    dialog.current?.close();
  };
  return (
    <>
      {/* Hidden from assistive technology while its modal is open, as the rest of the page is (the modal makes it inert). */}
      <button type="button" className="primary" onClick={show} aria-hidden={open || undefined} tabIndex={open ? -1 : undefined}>
        Create key
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} onClose={closed} className="key-dialog">
        <h2 id={titleId}>{issued ? issued.title : 'Create key'}</h2>
        {issued ? (
          <>
            <SecretField key={issued.secret} secret={issued.secret} />
            <div className="actions">
              <button type="button" className="primary" onClick={hide}>
                Done
              </button>
            </div>
          </>
        ) : open ? (
          <CreateKeyForm key={formVersion} busy={create.isPending} error={create.error} onSubmit={(body) => create.mutate(body)} onCancel={hide} />
        ) : null}
      </dialog>
    </>
  );
}

interface CreateKeyFormProps {
  busy: boolean;
  error: unknown;
  onSubmit: (body: NewKeyBody) => void;
  onCancel: () => void;
}

function CreateKeyForm({ busy, error, onSubmit, onCancel }: CreateKeyFormProps) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([...SCOPES]);
  const [dailyLimit, setDailyLimit] = useState('');
  const [expires, setExpires] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const today = localDay(new Date());
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (scopes.length === 0) {
      setProblem('Tick at least one scope: a key without scopes could not call anything.');
      return;
    }
    setProblem(null);
    onSubmit({
      name: name.trim(),
      scopes,
      // The key works through the whole chosen day, in the browser's time zone (the one dates are shown in).
      expiresAt: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
      dailyLimit: dailyLimit ? Number(dailyLimit) : null,
    });
  };
  const toggle = (scope: Scope, on: boolean) => setScopes((current) => (on ? SCOPES.filter((candidate) => candidate === scope || current.includes(candidate)) : current.filter((candidate) => candidate !== scope)));
  return (
    <form onSubmit={submit} className="key-form">
      <label>
        Name
        <input name="name" required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} autoFocus />
      </label>
      <fieldset>
        <legend>Scopes</legend>
        {SCOPES.map((scope) => (
          <label key={scope} className="inline">
            <input type="checkbox" checked={scopes.includes(scope)} onChange={(event) => toggle(scope, event.target.checked)} />
            {scope}
          </label>
        ))}
      </fieldset>
      <label>
        Daily limit
        <input type="number" inputMode="numeric" min={1} step={1} value={dailyLimit} onChange={(event) => setDailyLimit(event.target.value)} aria-describedby="daily-limit-hint" />
      </label>
      <p id="daily-limit-hint" className="muted hint">
        Calls a UTC day, below the plan&apos;s own limits. Empty: no limit of its own.
      </p>
      <label>
        Expires
        <input type="date" min={today} value={expires} onChange={(event) => setExpires(event.target.value)} aria-describedby="expires-hint" />
      </label>
      <p id="expires-hint" className="muted hint">
        The key works through the end of this day. Empty: it never expires.
      </p>
      {problem ? (
        <p role="alert" className="error">
          {problem}
        </p>
      ) : null}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SecretDialog({ issued, onClosed }: { issued: IssuedSecret | null; onClosed: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    if (issued && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [issued]);
  return (
    <dialog ref={dialog} aria-labelledby={titleId} className="key-dialog" onClose={onClosed}>
      {issued ? (
        <>
          <h2 id={titleId}>{issued.title}</h2>
          <p>
            The new key&apos;s prefix is <code>{issued.prefix}</code>.
          </p>
          <SecretField key={issued.secret} secret={issued.secret} />
          {issued.previous ? (
            <p className="overlap">
              The old key <code>{issued.previous.prefix}</code> keeps working until{' '}
              {issued.previous.worksUntil ? <DateTime value={issued.previous.worksUntil} /> : 'the overlap ends'}; switch your clients to the new secret before then.
            </p>
          ) : null}
          <div className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => {
                onClosed();
                dialog.current?.close();
              }}
            >
              Done
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}

/** Today in the browser's time zone, as a date input's value. */
function localDay(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
