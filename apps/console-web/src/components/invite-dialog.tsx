import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { ErrorMessage } from './feedback';

type Role = 'owner' | 'member';

/**
 * The members page's **Invite**: a dialog with **Email** and **Role** whose submit button is "Send invitation"
 * (distinct from the opening button, so each name is one control on the page).
 */
export function InviteButton({ workspaceId, membersKey }: { workspaceId: string; membersKey: readonly unknown[] }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const invite = useMutation({
    mutationFn: () => unwrap(api.POST('/api/workspaces/{ws}/members', { params: { path: { ws: workspaceId } }, body: { email, role } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: membersKey });
      dialog.current?.close();
    },
  });
  const open = () => {
    invite.reset();
    setEmail('');
    setRole('member');
    dialog.current?.showModal();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate();
  };
  return (
    <>
      <button type="button" className="primary" onClick={open}>
        Invite
      </button>
      {invite.isSuccess ? (
        <p role="status" className="ok">
          Invitation sent to {invite.data.invitation.email}: it is valid for 7 days.
        </p>
      ) : null}
      <dialog ref={dialog} aria-labelledby={titleId}>
        <form onSubmit={submit} className="stacked">
          <h2 id={titleId}>Invite someone to this workspace</h2>
          <label>
            Email
            <input type="email" required maxLength={320} autoComplete="off" value={email} onChange={(event) => setEmail(event.target.value)} />
          </label>
          <label>
            Role
            <select aria-label="Role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
              <option value="member">member</option>
              <option value="owner">owner</option>
            </select>
          </label>
          <p className="muted">They get a pending invitation and join when they sign in with that email and accept it.</p>
          <ErrorMessage error={invite.error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={invite.isPending}>
              {invite.isPending ? 'Sending…' : 'Send invitation'}
            </button>
            <button type="button" onClick={() => dialog.current?.close()} disabled={invite.isPending}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
